FROM debian:bookworm-slim
BOGUS instruction
