FROM debian:bookworm-slim as base
MAINTAINER someone@example.com
ENV GREETING hello
WORKDIR app
ENV PATH=$UNDEFINED_DIR:$PATH
run echo "$GREETING"
CMD docpipe serve
