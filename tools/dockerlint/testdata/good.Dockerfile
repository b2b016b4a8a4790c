# check=experimental=all
FROM debian:bookworm-slim AS base
ENV GREETING=hello
WORKDIR /app
RUN echo "$GREETING"
ENTRYPOINT ["docpipe"]
CMD ["serve"]
