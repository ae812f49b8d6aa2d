#!/usr/bin/env bash
# Validate manifest.yml against Slack's published app-manifest JSON schema (version 1.0.0,
# draft-07), plus Tandem's own rules (exact bot scopes, request URL paths): see
# scripts/check_manifest.py.
#
# Needs only python3 with the venv module; installs PyYAML and jsonschema into a venv under
# ${TMPDIR:-/tmp} on first use and reuses it afterwards.
#
# Environment:
#   TANDEM_MANIFEST         manifest to check (default: <repo>/manifest.yml)
#   TANDEM_MANIFEST_SCHEMA  schema to check against
#                           (default: <repo>/../shared/slack/manifest.schema.1.0.0.json)
#   TANDEM_MANIFEST_VENV    venv to create or reuse (default: ${TMPDIR:-/tmp}/tandem-manifest-venv)
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd -- "${script_dir}/.." && pwd)"

manifest="${TANDEM_MANIFEST:-${repo_root}/manifest.yml}"
schema="${TANDEM_MANIFEST_SCHEMA:-${repo_root}/../shared/slack/manifest.schema.1.0.0.json}"
venv="${TANDEM_MANIFEST_VENV:-${TMPDIR:-/tmp}/tandem-manifest-venv}"

# Pinned; bump together. jsonschema 4.26 supports Python 3.10+.
requirements=(pyyaml==6.0.3 jsonschema==4.26.0)

if [[ ! -f "${manifest}" ]]; then
  echo "check-manifest: no manifest at ${manifest}" >&2
  exit 2
fi
if [[ ! -f "${schema}" ]]; then
  echo "check-manifest: no schema at ${schema} (set TANDEM_MANIFEST_SCHEMA)" >&2
  exit 2
fi

# Name the manifest as the user knows it: relative to the repo root when it lives there.
case "${manifest}" in
  "${repo_root}"/*) display="${manifest#"${repo_root}"/}" ;;
  *) display="${manifest}" ;;
esac

python="${venv}/bin/python"
stamp="${venv}/.tandem-requirements"
if [[ ! -x "${python}" ]]; then
  rm -rf -- "${venv}"
  if ! python3 -m venv "${venv}" >&2; then
    echo "check-manifest: 'python3 -m venv' failed (on Debian: apt-get install python3-venv)" >&2
    exit 2
  fi
fi
if [[ ! -f "${stamp}" || "$(cat -- "${stamp}")" != "${requirements[*]}" ]]; then
  "${python}" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
  printf '%s' "${requirements[*]}" >"${stamp}"
fi

exec "${python}" "${script_dir}/check_manifest.py" "${manifest}" "${schema}" "${display}"
