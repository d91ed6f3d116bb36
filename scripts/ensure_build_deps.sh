#!/usr/bin/env bash
# python-ldap (LDAP / Active Directory sign-in) compiles against OpenLDAP's and SASL's headers.
set -euo pipefail
missing=()
[ -f /usr/include/ldap.h ] || missing+=(libldap2-dev)
[ -f /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} to build python-ldap…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Install ${missing[*]} (the headers python-ldap builds against), then run make again." >&2
  exit 1
fi
