#!/usr/bin/env bash
# Writes the two OpenIddict certificates (signing, encryption) that every Portal node of infra/compose.yaml loads, and the
# proxy's TLS certificate, into infra/secrets/ (ignored by git). For trying compose out only: production certificates come from your secret store.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p secrets
password=portal-compose-only
for kind in signing encryption; do
  usage=$([[ $kind == signing ]] && echo digitalSignature || echo keyEncipherment)
  openssl req -x509 -newkey rsa:2048 -sha256 -days 730 -nodes -subj "/CN=Portal compose $kind" \
    -addext "keyUsage=critical,$usage" -keyout "secrets/$kind.key" -out "secrets/$kind.crt" 2>/dev/null
  openssl pkcs12 -export -inkey "secrets/$kind.key" -in "secrets/$kind.crt" -out "secrets/$kind.pfx" -passout "pass:$password"
  rm "secrets/$kind.key" "secrets/$kind.crt"
done
# The proxy's TLS certificate for https://localhost:8443 (self-signed: the browser warns once).
openssl req -x509 -newkey rsa:2048 -sha256 -days 730 -nodes -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout secrets/proxy.key -out secrets/proxy.crt 2>/dev/null
# The container runs as a non-root user: let it read the files.
chmod 644 secrets/*.pfx secrets/proxy.crt secrets/proxy.key
echo "infra/secrets/: signing.pfx and encryption.pfx (password: $password), proxy.crt and proxy.key written."
