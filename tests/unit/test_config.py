"""Client configuration: every option validated at construction, secrets kept out of reprs."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from paycombat_async import ConfigurationError, PayCombat, RetryPolicy
from paycombat_async._core.config import ClientConfig

TOKEN = "snd_token_1234567890"
KEY = 'k"e/y\\é+ &'


def make(**kwargs: Any) -> ClientConfig:
    kwargs.setdefault("token", TOKEN)
    return PayCombat(**kwargs).config


@pytest.mark.parametrize(
    ("kwargs", "mentions"),
    [
        ({"max_connections": 0}, "max_connections"),
        ({"max_connections": -1}, "max_connections"),
        ({"max_connections": True}, "max_connections"),
        ({"max_connections": 1.5}, "max_connections"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
        ({"max_response_bytes": -1}, "max_response_bytes"),
        ({"max_response_bytes": True}, "max_response_bytes"),
        ({"max_response_bytes": 1.5}, "max_response_bytes"),
        ({"max_response_bytes": "1024"}, "max_response_bytes"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"base_url": "ftp://api.example.com"}, "base_url"),
        ({"base_url": "api.paycombat.com"}, "base_url"),
        ({"base_url": "http://"}, "base_url"),
        ({"base_url": "https:///path"}, "base_url"),
        ({"token": ""}, "token"),
        ({"token": "   "}, "token"),
    ],
)
def test_bad_options_are_refused_at_construction(kwargs: dict[str, Any], mentions: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        make(**kwargs)
    assert mentions.lower() in str(caught.value).lower()


def test_good_options_are_kept() -> None:
    config = make(
        signature_key=KEY,
        base_url="https://api.example.com/",
        timeout=2.5,
        max_connections=1,
        max_response_bytes=1,
    )
    assert config.base_url == "https://api.example.com"
    assert (config.timeout, config.max_connections, config.max_response_bytes) == (2.5, 1, 1)
    assert config.signature_key == KEY


def test_max_retries_overrides_only_that_field_of_the_policy() -> None:
    policy = RetryPolicy(max_retries=5, initial_backoff=0.1, max_backoff=1, max_retry_after=2)
    assert make(retry=policy).retry == policy
    assert make(retry=policy, max_retries=0).retry == RetryPolicy(
        max_retries=0, initial_backoff=0.1, max_backoff=1, max_retry_after=2
    )
    assert make(max_retries=4).retry == RetryPolicy(max_retries=4)


@pytest.mark.parametrize("name", ["PAYCOMBAT_TOKEN", "PAYCOMBAT_SIGNATURE_KEY"])
@pytest.mark.parametrize("value", ["snd_x\n", "snd_\x7fx", " snd_x"])
def test_secrets_from_the_environment_are_checked_too(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("PAYCOMBAT_TOKEN", "snd_ok")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError):
        PayCombat()


def test_plain_http_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYCOMBAT_BASE_URL", "http://api.example.com")
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        PayCombat(token=TOKEN)
    assert PayCombat(token=TOKEN, allow_insecure_http=True).config.base_url.startswith("http://")


def test_the_repr_hides_both_secrets() -> None:
    config = make(signature_key=KEY)
    for shown in (repr(config), str(config), repr(PayCombat(token=TOKEN, signature_key=KEY))):
        assert TOKEN[4:] not in shown
        assert "e/y" not in shown
    assert "snd_" in repr(config)  # the environment prefix is shown, nothing after it


@pytest.mark.parametrize(
    ("token", "environment"), [("snd_x", "sandbox"), ("prd_x", "production"), ("x", "unknown")]
)
def test_the_environment_is_read_from_the_token_prefix(token: str, environment: str) -> None:
    assert make(token=token).environment == environment


def test_secret_forms_cover_every_echo_longest_first() -> None:
    config = make(signature_key=KEY)
    forms = config.secret_forms
    for secret in (TOKEN, KEY):
        for form in (
            secret,
            json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
            quote(secret, safe=""),
            quote_plus(secret),
        ):
            assert form in forms
    assert [len(f) for f in forms] == sorted((len(f) for f in forms), reverse=True)
    assert config.secrets == (TOKEN, KEY)
    assert make().secrets == (TOKEN,)
