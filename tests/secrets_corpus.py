"""Fake secrets planted in realistic files, for redaction tests.

Every value is generated here at import time from a fixed seed and built by concatenation,
so this file contains no literal token for a secret scanner to flag. None is a real
credential: they only have the shape of one.
"""

from __future__ import annotations

import base64
import json
import random
import string

_rng = random.Random(20241122)
UPPER, LOWER, DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
_WORDS = ("harbor", "violet", "copper", "falcon", "meadow", "quartz", "tundra", "ember",
          "saffron", "glacier", "orchid", "pylon")


def _r(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _password() -> str:
    """A human-made password: two words, digits and a symbol."""
    a, b = _rng.sample(_WORDS, 2)
    return f"{a.capitalize()}{_rng.choice('-_.')}{b}{_r(DIGITS, 2)}{_rng.choice('!#%*')}"


def _uuid() -> str:
    h = _r(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _pem_body(nbytes: int) -> list[str]:
    blob = base64.b64encode(_rng.randbytes(nbytes)).decode()
    return [blob[i:i + 64] for i in range(0, len(blob), 64)]


_BEGIN, _END, _PK = "-----" + "BEGIN ", "-----" + "END ", "PRIVATE " + "KEY-----"

S = {
    "aws_id": "AK" + "IA" + _r(UPPER + DIGITS, 16),
    "aws_secret": _r(B64, 40),
    "django_secret": "django-insecure-" + _r(LOWER + DIGITS + "!@#$%^&*(-_=+)", 50),
    "db_password": _password(),
    "email_password": _password(),
    "pg_password": _password(),
    "redis_password": _r(ALNUM, 24),
    "stripe": "sk" + "_live_" + _r(ALNUM, 24),
    "openai_proj": "sk-" + "proj-" + _r(B64URL, 48) + "T3Blbk" + "FJ" + _r(B64URL, 48),
    "sentry_key": _r(HEX, 32),
    "jwt_secret": _r(ALNUM, 32),
    "session_secret": _r(B64, 48),
    "heroku_env": _uuid(),
    "anthropic": "sk-" + "ant-api03-" + _r(B64URL, 93) + "AA",
    "slack_bot": "xo" + "xb-" + _r(DIGITS, 12) + "-" + _r(DIGITS, 13) + "-" + _r(ALNUM, 24),
    "mailgun": "key" + "-" + _r(HEX, 32),
    "hf_env": "h" + "f_" + _r(ALNUM, 34),
    "compose_pg": _password(),
    "mysql_root": _password(),
    "rabbit": _password(),
    "npm": "np" + "m_" + _r(ALNUM, 36),
    "ghp": "gh" + "p_" + _r(ALNUM, 36),
    "bearer": _r(ALNUM, 40),
    "glpat": "gl" + "pat-" + _r(B64URL, 20),
    "github_pat": "github" + "_pat_" + _r(ALNUM, 22) + "_" + _r(ALNUM, 59),
    "slack_hook": "T" + _r(UPPER + DIGITS, 8) + "/B" + _r(UPPER + DIGITS, 8) + "/" + _r(ALNUM, 24),
    "curl_basic": _password(),
    "x_api_key": _r(HEX, 32),
    "pgpassword": _password(),
    "rsa_body": "\n".join(_pem_body(1190)),
    "openssh_body": "\n".join(_pem_body(400)),
    "gcp_body": "\n".join(_pem_body(1216)),
    "google": "AI" + "za" + _r(B64URL, 35),
    "sendgrid": "S" + "G." + _r(B64URL, 22) + "." + _r(B64URL, 43),
    "jwt": ("ey" + _b64url({"alg": "HS256", "typ": "JWT"})[2:] + "."
            + _b64url({"sub": _r(DIGITS, 10), "name": "Jane Doe", "iat": 1716239022}) + "."
            + _r(B64URL, 43)),
    "discord": _r(DIGITS, 18) + "/" + _r(B64URL, 68),
    "go_const": _password(),
    "go_local": _r(ALNUM + "!@#", 18),
    "twilio_sk": "S" + "K" + _r(HEX, 32),
    "twilio_token": _r(HEX, 32),
    "rails": _password(),
    "azure": _r(B64, 86) + "==",
    "tf_password": _password(),
    "datadog_api": _r(HEX, 32),
    "datadog_app": _r(HEX, 40),
    "npmrc_auth": base64.b64encode(f"deploy:{_password()}".encode()).decode(),
    "netrc_heroku": _uuid(),
    "netrc_github": "gh" + "o_" + _r(ALNUM, 36),
    "k8s_password": _password(),
    "k8s_token": _r(ALNUM, 40),
    "spring_password": _password(),
    "spring_jwt": _r(B64, 64),
    "stripe_restricted": "rk" + "_live_" + _r(ALNUM, 99),
    "hf_code": "h" + "f_" + _r(ALNUM, 34),
    "ghs": "gh" + "s_" + _r(ALNUM, 36),
    "telegram": _r(DIGITS, 10) + ":AA" + _r(B64URL, 33),
    "pypi": "pypi-" + "AgEIcHlwaS5vcmc" + _r(B64URL, 70),
    "php_password": _password(),
    "laravel": _r(B64, 43) + "=",
    "sentry_auth": _r(HEX, 64),
    "vault": "hv" + "s." + _r(B64URL, 90),
    "mailchimp": _r(HEX, 32) + "-us" + _r(DIGITS, 1),
    "digitalocean": "do" + "p_v1_" + _r(HEX, 64),
    "query_key": _r(ALNUM, 32),
    "amz_signature": _r(HEX, 64),
    "mssql": _password(),
    "openai_legacy": "sk-" + _r(ALNUM, 48),
}


def _pem(kind: str, body: str) -> str:
    return f"{_BEGIN}{kind}{_PK}\n{body}\n{_END}{kind}{_PK}\n"


_gcp_inline = (_BEGIN + _PK + "\\n" + S["gcp_body"].replace("\n", "\\n") + "\\n" + _END + _PK
               + "\\n")

_azure_connection = ("DefaultEndpointsProtocol=https;AccountName=examplestore;"
                     f"AccountKey={S['azure']};EndpointSuffix=core.windows.net")

# filename -> (content, [(kind, secret key in S)])
FILES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "app/settings.py": (f'''"""Production settings."""
import os

DEBUG = False
ALLOWED_HOSTS = ["api.example.com"]
SECRET_KEY = "{S['django_secret']}"
AWS_ACCESS_KEY_ID = "{S['aws_id']}"
AWS_SECRET_ACCESS_KEY = "{S['aws_secret']}"
AWS_STORAGE_BUCKET_NAME = "example-static"
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "app",
        "USER": "app",
        "PASSWORD": "{S['db_password']}",
        "HOST": os.environ.get("DB_HOST", "db.internal"),
    }}
}}
EMAIL_HOST_PASSWORD = '{S['email_password']}'
''', [("generic-api-key", "django_secret"), ("aws-access-key", "aws_id"),
      ("aws-secret-key", "aws_secret"), ("password", "db_password"),
      ("password", "email_password")]),
    ".env": (f"""# Local development settings
NODE_ENV=production
PORT=8080
DEBUG=false
DATABASE_URL=postgres://app:{S['pg_password']}@db.internal:5432/app
REDIS_URL=redis://:{S['redis_password']}@cache.internal:6379/0
STRIPE_SECRET_KEY={S['stripe']}
OPENAI_API_KEY={S['openai_proj']}
SENTRY_DSN=https://{S['sentry_key']}@o{_r(DIGITS, 6)}.ingest.sentry.io/{_r(DIGITS, 7)}
JWT_SECRET={S['jwt_secret']}
SESSION_SECRET="{S['session_secret']}"
HEROKU_API_KEY={S['heroku_env']}
LOG_LEVEL=info
""", [("url-credentials", "pg_password"), ("url-credentials", "redis_password"),
      ("stripe-key", "stripe"), ("openai-key", "openai_proj"), ("url-credentials", "sentry_key"),
      ("env-value", "jwt_secret"), ("env-value", "session_secret"),
      ("env-value", "heroku_env")]),
    ".env.production": (f"""export ANTHROPIC_API_KEY={S['anthropic']}
export SLACK_BOT_TOKEN={S['slack_bot']}
export MAILGUN_API_KEY={S['mailgun']}
export HF_TOKEN='{S['hf_env']}'
""", [("anthropic-key", "anthropic"), ("slack-token", "slack_bot"), ("mailgun-key", "mailgun"),
      ("huggingface-token", "hf_env")]),
    "deploy/docker-compose.yml": (f"""services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: {S['compose_pg']}
  mysql:
    image: mysql:8.4
    environment:
      - MYSQL_ROOT_PASSWORD={S['mysql_root']}
  queue:
    image: rabbitmq:3-management
    environment:
      RABBITMQ_DEFAULT_USER: app
      RABBITMQ_DEFAULT_PASS: "{S['rabbit']}"
""", [("password", "compose_pg"), ("password", "mysql_root"), ("password", "rabbit")]),
    ".github/workflows/release.yml": (f"""name: release
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    env:
      NPM_TOKEN: {S['npm']}
      GH_TOKEN: {S['ghp']}
      DB_PASSWORD: ${{{{ secrets.DB_PASSWORD }}}}
    steps:
      - uses: actions/checkout@v4
      - run: npm publish
      - run: |
          curl -sf -H "Authorization: Bearer {S['bearer']}" https://api.example.com/deploy
""", [("npm-token", "npm"), ("github-token", "ghp"), ("auth-header", "bearer")]),
    "scripts/notify.sh": (f"""#!/usr/bin/env bash
set -euo pipefail
export GITLAB_TOKEN={S['glpat']}
GITHUB_PAT={S['github_pat']}
curl -X POST -H 'Content-type: application/json' \\
  --data '{{"text":"deploy done"}}' \\
  https://hooks.slack.com/services/{S['slack_hook']}
curl -u deploy:{S['curl_basic']} https://ci.example.com/api/trigger
curl -H "X-Api-Key: {S['x_api_key']}" https://metrics.example.com/v1/push
PGPASSWORD={S['pgpassword']} psql -h db.internal -U app -c 'select 1'
""", [("gitlab-token", "glpat"), ("github-token", "github_pat"), ("slack-webhook", "slack_hook"),
      ("basic-auth", "curl_basic"), ("generic-api-key", "x_api_key"),
      ("password", "pgpassword")]),
    "deploy/keys/id_rsa": (_pem("RSA ", S["rsa_body"]), [("private-key", "rsa_body")]),
    "deploy/keys/ci_ed25519": (_pem("OPENSSH ", S["openssh_body"]),
                               [("private-key", "openssh_body")]),
    "config/gcp-service-account.json": (f"""{{
  "type": "service_account",
  "project_id": "example-prod",
  "private_key_id": "{_r(HEX, 40)}",
  "private_key": "{_gcp_inline}",
  "client_email": "deployer@example-prod.iam.gserviceaccount.com",
  "client_id": "{_r(DIGITS, 21)}"
}}
""", [("private-key", "gcp_body")]),
    "web/src/api/client.js": (f"""import axios from "axios";

const GOOGLE_MAPS_KEY = "{S['google']}";
const sendgridKey = '{S['sendgrid']}';
const demoToken = "{S['jwt']}";
const DISCORD_WEBHOOK = "https://discord.com/api/webhooks/{S['discord']}";

export const api = axios.create({{
  baseURL: "https://api.example.com",
  headers: {{ Authorization: `Bearer ${{localStorage.getItem("token")}}` }},
}});
""", [("google-api-key", "google"), ("sendgrid-key", "sendgrid"), ("jwt", "jwt"),
      ("discord-webhook", "discord")]),
    "internal/db/conn.go": (f"""package db

const dbPassword = "{S['go_const']}"

func dsn() string {{
\tpassword := "{S['go_local']}"
\treturn "postgres://svc:" + password + "@localhost/app"
}}

var twilioAPIKey = "{S['twilio_sk']}"
var twilioAuthToken = "{S['twilio_token']}"
""", [("password", "go_const"), ("password", "go_local"), ("twilio-key", "twilio_sk"),
      ("generic-api-key", "twilio_token")]),
    "config/database.yml": (f"""production:
  adapter: postgresql
  database: app_production
  username: app
  password: {S['rails']}
  host: <%= ENV["DB_HOST"] %>
""", [("password", "rails")]),
    "appsettings.json": (f"""{{
  "ConnectionStrings": {{
    "Storage": "{_azure_connection}"
  }},
  "Logging": {{ "LogLevel": {{ "Default": "Information" }} }}
}}
""", [("azure-storage-key", "azure")]),
    "infra/main.tf": (f"""resource "aws_db_instance" "main" {{
  engine   = "postgres"
  username = "app"
  password = "{S['tf_password']}"
}}

provider "datadog" {{
  api_key = "{S['datadog_api']}"
  app_key = "{S['datadog_app']}"
}}
""", [("password", "tf_password"), ("generic-api-key", "datadog_api"),
      ("generic-api-key", "datadog_app")]),
    ".npmrc": (f"""registry=https://registry.npmjs.org/
_auth={S['npmrc_auth']}
always-auth=true
""", [("generic-api-key", "npmrc_auth")]),
    ".netrc": (f"""machine api.heroku.com
  login deploy@example.com
  password {S['netrc_heroku']}
machine github.com
  login octocat
  password {S['netrc_github']}
""", [("password", "netrc_heroku"), ("github-token", "netrc_github")]),
    "k8s/deployment.yaml": (f"""apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          env:
            - name: DB_PASSWORD
              value: "{S['k8s_password']}"
            - name: API_TOKEN
              value: {S['k8s_token']}
            - name: LOG_LEVEL
              value: info
""", [("password", "k8s_password"), ("generic-api-key", "k8s_token")]),
    "src/main/resources/application.properties": (f"""spring.datasource.url=jdbc:postgresql://db.internal:5432/app
spring.datasource.username=app
spring.datasource.password={S['spring_password']}
jwt.secret={S['spring_jwt']}
server.port=8080
""", [("password", "spring_password"), ("generic-api-key", "spring_jwt")]),
    "app/payments.rb": (f"""require "stripe"

Stripe.api_key = "{S['stripe_restricted']}"
""", [("stripe-key", "stripe_restricted")]),
    "scripts/upload.py": (f"""import requests
from huggingface_hub import HfApi

api = HfApi(token="{S['hf_code']}")
requests.post(URL, headers={{"Authorization": "token {S['ghs']}"}}, timeout=10)
TELEGRAM_BOT_TOKEN = "{S['telegram']}"
""", [("huggingface-token", "hf_code"), ("github-token", "ghs"),
      ("telegram-token", "telegram")]),
    ".pypirc": (f"""[pypi]
username = __token__
password = {S['pypi']}
""", [("pypi-token", "pypi")]),
    "config/app.php": (f"""<?php

return [
    'name' => 'Example',
    'key' => 'base64:{S['laravel']}',
    'db' => ['user' => 'app', 'password' => '{S['php_password']}'],
];
""", [("generic-api-key", "laravel"), ("password", "php_password")]),
    "Dockerfile": (f"""FROM python:3.12-slim
ENV SENTRY_AUTH_TOKEN={S['sentry_auth']}
RUN pip install --no-cache-dir .
""", [("generic-api-key", "sentry_auth")]),
    "scripts/vault-login.sh": (f"""#!/bin/sh
export VAULT_ADDR=https://vault.internal:8200
export VAULT_TOKEN={S['vault']}
vault kv get secret/app
""", [("vault-token", "vault")]),
    "newsletter/client.py": (f"""MAILCHIMP_SERVER = "us6"
MAILCHIMP_KEY = "{S['mailchimp']}"
""", [("mailchimp-key", "mailchimp")]),
    "infra/prod.tfvars": (f"""region   = "fra1"
do_token = "{S['digitalocean']}"
""", [("digitalocean-token", "digitalocean")]),
    "README.md": (f"""# Example API

Fetch items:

```
curl "https://api.example.com/v1/items?api_key={S['query_key']}&limit=10"
```
""", [("generic-api-key", "query_key")]),
    "app/storage.py": (f'''PRESIGNED = (
    "https://bucket.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature={S['amz_signature']}"
)
''', [("url-credentials", "amz_signature")]),
    "Data/Db.cs": (f"""namespace Example.Data;

public static class Db
{{
    public const string Connection =
        "Server=tcp:example.database.windows.net;User ID=admin;Password={S['mssql']};";
}}
""", [("password", "mssql")]),
    "cmd/ask/main.go": (f"""package main

import openai "github.com/sashabaranov/go-openai"

func main() {{
\tclient := openai.NewClient("{S['openai_legacy']}")
\t_ = client
}}
""", [("openai-key", "openai_legacy")]),
}

# Ordinary code that must come through readable: none of these lines holds a secret.
ORDINARY: dict[str, str] = {
    "app/views.py": '''import uuid


def login(request, form):
    password_field = form.get("password")
    token = request.headers.get("X-Token")
    # Regression introduced in 3f786850e387550fdab836ed7e6dc881de23001b; reverted here.
    user_id = uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
    cache_key = f"session:{user_id}"
    primary_key = True
    return check_password(password_field, token)
''',
    "tests/test_ids.py": '''REQUEST_ID = "9f1c2e4a-3b5d-4c6e-8f7a-1b2c3d4e5f60"


def test_request_id_is_stable():
    assert parse(REQUEST_ID).version == 4
''',
    "deploy/.env.defaults": """NODE_ENV=production
PORT=8080
DEBUG=false
LOG_LEVEL=info
""",
}


def planted_secrets() -> list[tuple[str, str, str, str]]:
    """(kind, filename, file content, secret value) for every planted fake secret."""
    return [(kind, name, content, S[key])
            for name, (content, planted) in FILES.items() for kind, key in planted]
