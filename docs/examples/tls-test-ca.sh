#!/bin/sh
# A throwaway certificate authority and one server certificate, to try TLS out
# (tests/e2e/test_tls.py runs this script). In production use certificates from your own CA
# or a public one; the platform and Mosquitto only need the PEM files.
#
# usage: tls-test-ca.sh DIR [SUBJECT_ALT_NAMES]
#   tls-test-ca.sh ./tls "DNS:mqtt.example.net,DNS:localhost,IP:127.0.0.1"
# writes DIR/ca.crt (give it to devices and to the platform), DIR/server.crt and
# DIR/server.key (for Mosquitto and `assetwatch serve`), and the CA's key DIR/ca.key.
set -eu
dir=$1
san=${2:-DNS:localhost,IP:127.0.0.1}
mkdir -p "$dir"
cd "$dir"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
# shellcheck disable=SC2086 # $ec is several options
openssl req -x509 $ec -days 30 -subj "/CN=assetwatch test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.crt 2>/dev/null
# shellcheck disable=SC2086
openssl req $ec -subj "/CN=assetwatch" -keyout server.key -out server.csr 2>/dev/null
cat > server.ext <<EXT
subjectAltName=$san
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
    -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
