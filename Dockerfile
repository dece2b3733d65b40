# mediaform in a container: docker build -t mediaform . && docker run --rm -v "$PWD:/work" -w /work mediaform plan media
#
# The builder stage only runs the tested release script (Scripts/release: static Swift runtime, archive, checks);
# the final stage is a slim Debian with the two system libraries the binary needs, and the unpacked archive.
FROM swift:6.1-bookworm AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libyaml-dev libssl-dev pkg-config git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN Scripts/release

FROM debian:bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libyaml-0-2 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/dist/ /tmp/dist/
RUN mkdir -p /opt/mediaform && tar -xzf /tmp/dist/mediaform-*.tar.gz -C /opt/mediaform --strip-components=1 \
    && ln -s /opt/mediaform/mediaform /usr/local/bin/mediaform && rm -rf /tmp/dist
ENTRYPOINT ["mediaform"]
CMD ["--help"]
