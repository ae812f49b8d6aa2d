#!/usr/bin/env python3
"""Validate Tandem's Slack app manifest.

Usage: check_manifest.py MANIFEST_YAML SCHEMA_JSON [DISPLAY_NAME]

Run it through scripts/check-manifest.sh, which provides PyYAML and jsonschema in a venv.

Checks, all reported together:
  1. the manifest validates against Slack's published JSON schema (draft-07);
  2. display_information.background_color is #rgb or #rrggbb (the schema states this with a
     non-standard "regex" keyword that no draft-07 validator enforces);
  3. the bot scopes are exactly EXPECTED_BOT_SCOPES, and no other scope list is requested;
  4. the three request URLs are https, share one origin, and end with Tandem's paths.

Exit status: 0 valid, 1 invalid, 2 the files could not be read or parsed.
"""

from __future__ import annotations

import json
import re
import sys
from urllib.parse import urlsplit

import jsonschema
import yaml

# Change this set only together with manifest.yml and the README's list of scopes.
EXPECTED_BOT_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "im:write",
        "mpim:write",
        "users:read",
        "files:write",
        "channels:read",
        "groups:read",
        "usergroups:read",
        "users:read.email",
    }
)

SLASH_COMMAND = "/mentor"
COMMANDS_PATH = "/slack/commands"
EVENTS_PATH = "/slack/events"
INTERACTIONS_PATH = "/slack/interactions"

BACKGROUND_COLOR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")
DRAFT_07 = "http://json-schema.org/draft-07/schema"


def json_path(parts) -> str:
    """Render a jsonschema path deque as `a.b[0].c` (or `(top level)`)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def describe(error: jsonschema.ValidationError) -> str:
    """A one-line message that does not echo a 4,000-character string back."""
    if error.validator in ("maxLength", "minLength") and isinstance(error.instance, str):
        bound = "at most" if error.validator == "maxLength" else "at least"
        return (
            f"is {len(error.instance)} characters long; Slack allows "
            f"{bound} {error.validator_value}"
        )
    message = error.message
    return message if len(message) <= 300 else message[:297] + "..."


def get(mapping, *keys):
    """Walk nested dicts; None as soon as a key is missing or a level is not a dict."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def check_url(problems: list, where: str, url, path: str) -> str | None:
    """Check one request URL; return its origin (scheme://host[:port]) when usable."""
    if not isinstance(url, str) or not url:
        problems.append(f"{where}: missing; it must be https://<your host>{path}")
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        problems.append(f"{where}: {url!r} must be an https:// URL (Slack posts only to https)")
    if parts.query or parts.fragment or not parts.path.endswith(path):
        problems.append(f"{where}: {url!r} must end with {path!r}")
    return f"{parts.scheme}://{parts.netloc}"


def tandem_checks(manifest: dict) -> list[str]:
    problems: list[str] = []

    color = get(manifest, "display_information", "background_color")
    if color is not None and not (isinstance(color, str) and BACKGROUND_COLOR.match(color)):
        problems.append(
            f"display_information.background_color: {color!r} must be #rgb or #rrggbb"
        )

    scopes = get(manifest, "oauth_config", "scopes")
    bot = get(scopes, "bot")
    if not isinstance(bot, list):
        problems.append("oauth_config.scopes.bot: missing; Tandem needs a bot token")
    else:
        seen = set()
        for scope in bot:
            if scope in seen:
                problems.append(f"oauth_config.scopes.bot: {scope!r} is listed twice")
            seen.add(scope)
        extra = sorted(s for s in seen - EXPECTED_BOT_SCOPES if isinstance(s, str))
        missing = sorted(EXPECTED_BOT_SCOPES - seen)
        if extra:
            problems.append(
                "oauth_config.scopes.bot: unexpected scope(s) "
                + ", ".join(extra)
                + " (if Tandem really needs them, add them to EXPECTED_BOT_SCOPES in"
                " scripts/check_manifest.py and to the README's scope list)"
            )
        if missing:
            problems.append(
                "oauth_config.scopes.bot: missing scope(s) " + ", ".join(missing)
            )
    if isinstance(scopes, dict):
        for other in sorted(k for k in scopes if k != "bot" and scopes[k]):
            problems.append(
                f"oauth_config.scopes.{other}: Tandem requests bot scopes only;"
                " remove this list or update scripts/check_manifest.py and the README"
            )

    origins = {}
    commands = get(manifest, "features", "slash_commands")
    mentor = [
        (i, c)
        for i, c in enumerate(commands if isinstance(commands, list) else [])
        if isinstance(c, dict) and c.get("command") == SLASH_COMMAND
    ]
    if not mentor:
        problems.append(f"features.slash_commands: no {SLASH_COMMAND} command")
    for i, command in mentor:
        where = f"features.slash_commands[{i}].url"
        origins[where] = check_url(problems, where, command.get("url"), COMMANDS_PATH)

    where = "settings.event_subscriptions.request_url"
    origins[where] = check_url(
        problems, where, get(manifest, "settings", "event_subscriptions", "request_url"),
        EVENTS_PATH,
    )
    where = "settings.interactivity.request_url"
    origins[where] = check_url(
        problems, where, get(manifest, "settings", "interactivity", "request_url"),
        INTERACTIONS_PATH,
    )

    distinct = {o for o in origins.values() if o}
    if len(distinct) > 1:
        listing = ", ".join(f"{w} -> {o}" for w, o in origins.items() if o)
        problems.append(
            f"request URLs point at different hosts ({listing}); one Tandem server serves all three"
        )
    return problems


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    manifest_path, schema_path = argv[1], argv[2]
    name = argv[3] if len(argv) == 4 else manifest_path

    try:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{name}: cannot read the schema {schema_path}: {e}", file=sys.stderr)
        return 2
    declared = str(schema.get("$schema", "")).rstrip("#")
    if declared != DRAFT_07:
        print(
            f"{name}: the schema {schema_path} declares {declared or 'no $schema'},"
            f" not draft-07; update scripts/check_manifest.py",
            file=sys.stderr,
        )
        return 2
    jsonschema.Draft7Validator.check_schema(schema)

    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = yaml.safe_load(f)
    except OSError as e:
        print(f"{name}: cannot read: {e}", file=sys.stderr)
        return 2
    except yaml.YAMLError as e:
        print(f"{name}: not valid YAML: {e}", file=sys.stderr)
        return 2
    if not isinstance(manifest, dict):
        print(f"{name}: the top level must be a mapping, got {type(manifest).__name__}",
              file=sys.stderr)
        return 1

    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(manifest), key=lambda e: (list(map(str, e.path)), e.message))
    problems = [f"{json_path(e.absolute_path)}: {describe(e)}" for e in errors]
    schema_count = len(problems)
    problems += tandem_checks(manifest)

    if problems:
        print(
            f"{name}: INVALID: {schema_count} schema error(s), "
            f"{len(problems) - schema_count} Tandem check failure(s)",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{name}: valid against Slack manifest schema 1.0.0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
