"""Telemetry: every call is a span and a few metrics (OpenTelemetry), and PAYCOMBAT_LOG=debug
logs each request and response; none of it ever shows a secret or an account number.

The spans and metrics are read back with the OpenTelemetry SDK's in-memory exporter and reader,
from providers given to the client (the process's global providers are left alone, but in the
scripts that test them).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import paycombat_sync
import paycombat_sync.sandbox
from paycombat_async import (
    OPERATIONS,
    ConfigurationError,
    OutcomeUnknownError,
    PayCombat,
    ValidationError,
)
from paycombat_async.models.checkout import AdvancedRedirectUrl
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.sandbox._server import RecordedRequest
from tests.blocking.scripts import run
from tests.helpers import client_for, payout_args

ACCOUNT_NUMBER = "87654321"
"""The beneficiary's account number in every payout here: it must show nowhere."""


@attrs.frozen
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> dict[frozenset[tuple[str, Any]], Any]:
        """The data points of metric ``name`` by their attributes: a counter's value, or a
        histogram's point."""
        found: dict[frozenset[tuple[str, Any]], Any] = {}
        data = self.metrics.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                assert scope.scope.name == "paycombat"
                for metric in scope.metrics:
                    if metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        key = frozenset((point.attributes or {}).items())
                        if isinstance(point, NumberDataPoint):
                            found[key] = point.value
                        else:
                            assert isinstance(point, HistogramDataPoint)
                            found[key] = point
        return found

    def exported(self) -> str:
        """Everything exported, as text: every span (attributes, events, status) and metric."""
        data = self.metrics.get_metrics_data()
        return "\n".join(
            [span.to_json() for span in self.finished()] + [data.to_json() if data else ""]
        )


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    metrics = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[metrics])
    yield Telemetry(spans, metrics, tracer_provider, meter_provider)
    tracer_provider.shutdown()
    meter_provider.shutdown()


def _client(sandbox: LocalSandbox, telemetry: Telemetry, **options: Any) -> PayCombat:
    return client_for(
        sandbox,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
        **options,
    )


@pytest.fixture
async def client(sandbox: LocalSandbox, telemetry: Telemetry) -> AsyncIterator[PayCombat]:
    async with _client(sandbox, telemetry) as c:
        yield c


def _payout(**overrides: Any) -> dict[str, Any]:
    beneficiary = {
        "individual": {"first_name": "Ana", "last_name": "Lima"},
        "account_number": ACCOUNT_NUMBER,
        "bsb": "123456",
    }
    return payout_args(payout_beneficiary_param=beneficiary, **overrides)


def _labels(operation: str, outcome: str) -> frozenset[tuple[str, str]]:
    return frozenset({("paycombat.operation", operation), ("paycombat.outcome", outcome)})


def _operation(operation: str) -> frozenset[tuple[str, str]]:
    return frozenset({("paycombat.operation", operation)})


# -- spans and metrics ------------------------------------------------------------------------


async def test_a_create_is_one_client_span_named_by_its_operation(
    client: PayCombat, sandbox: LocalSandbox, telemetry: Telemetry
) -> None:
    payout = await client.payouts.create(**_payout(order_id="order-span"))

    (span,) = telemetry.finished()
    assert span.name == "paycombat payouts.create"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "paycombat"
    assert dict(span.attributes or {}) == {
        "http.request.method": "POST",
        "url.template": "/api/v1/payout/create-payout",
        "server.address": "127.0.0.1",
        "server.port": int(sandbox.base_url.rsplit(":", 1)[1]),
        "http.response.status_code": 200,
        "paycombat.operation": "payouts.create",
        "paycombat.attempts": 1,
        "paycombat.resent": False,
        "paycombat.outcome_unknown": False,
        "paycombat.order_id": "order-span",
    }
    assert span.events == ()
    assert payout.order_id == "order-span"

    assert telemetry.points("paycombat.client.calls") == {_labels("payouts.create", "ok"): 1}
    (duration,) = telemetry.points("paycombat.client.duration").items()
    assert duration[0] == _labels("payouts.create", "ok")
    assert duration[1].count == 1
    assert 0 < duration[1].sum < 10  # seconds
    assert duration[1].explicit_bounds[:3] == (0.005, 0.01, 0.025)
    assert telemetry.points("paycombat.client.resends") == {}
    assert telemetry.points("paycombat.client.outcome_unknown") == {}


async def test_a_read_resent_after_a_503_reports_two_attempts(
    client: PayCombat, sandbox: LocalSandbox, telemetry: Telemetry
) -> None:
    payout = await client.payouts.create(**_payout(order_id="order-read"))
    telemetry.spans.clear()
    sandbox.inject("Retrieve Payout", status=503)

    assert (await client.payouts.retrieve(payout.id)).id == payout.id

    (span,) = telemetry.finished()
    assert span.name == "paycombat payouts.retrieve"
    assert span.status.status_code is StatusCode.UNSET
    attributes = dict(span.attributes or {})
    assert attributes["url.template"] == "/api/v1/payout-method/retrieve-payout/{payout_id}"
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.response.status_code"] == 200
    assert attributes["paycombat.attempts"] == 2
    assert attributes["paycombat.resent"] is True
    assert attributes["http.request.resend_count"] == 1
    assert attributes["paycombat.outcome_unknown"] is False
    assert "paycombat.order_id" not in attributes  # a read sends no order_id
    assert payout.id not in json.dumps(attributes)  # the template, never the path
    assert telemetry.points("paycombat.client.resends") == {_operation("payouts.retrieve"): 1}
    assert telemetry.points("paycombat.client.calls") == {
        _labels("payouts.create", "ok"): 1,
        _labels("payouts.retrieve", "ok"): 1,
    }


async def test_a_create_whose_outcome_is_unknown_says_so(
    client: PayCombat, sandbox: LocalSandbox, telemetry: Telemetry
) -> None:
    sandbox.inject("Create Payout", status=503)  # may have been processed: never resent

    with pytest.raises(OutcomeUnknownError) as raised:
        await client.payouts.create(**_payout(order_id="order-unknown"))

    (span,) = telemetry.finished()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "OutcomeUnknownError"
    attributes = dict(span.attributes or {})
    assert attributes["http.response.status_code"] == 503
    assert attributes["paycombat.attempts"] == 1
    assert attributes["paycombat.resent"] is False
    assert attributes["paycombat.outcome_unknown"] is True
    assert attributes["paycombat.order_id"] == "order-unknown"
    assert attributes["error.type"] == "OutcomeUnknownError"
    (event,) = span.events
    assert event.name == "exception"
    recorded = dict(event.attributes or {})
    assert recorded["exception.type"] == "paycombat_async._exceptions.OutcomeUnknownError"
    # Our messages carry no secret, so scrubbing leaves them whole.
    assert recorded["exception.message"] == str(raised.value)
    assert str(raised.value) in str(recorded["exception.stacktrace"])
    assert telemetry.points("paycombat.client.outcome_unknown") == {_operation("payouts.create"): 1}
    assert telemetry.points("paycombat.client.calls") == {
        _labels("payouts.create", "outcome_unknown"): 1
    }


async def test_a_call_refused_before_sending_is_an_error_span_without_attempts(
    client: PayCombat, telemetry: Telemetry
) -> None:
    with pytest.raises(ValidationError):
        await client.request("POST", "/api/v1/anything", json={"order_id": "o-1", "n": {1, 2}})

    (span,) = telemetry.finished()
    attributes = dict(span.attributes or {})
    assert attributes["paycombat.operation"] == "request"
    assert attributes["url.template"] == "/api/v1/anything"
    assert attributes["paycombat.attempts"] == 0
    assert attributes["paycombat.order_id"] == "o-1"
    assert attributes["error.type"] == "ValidationError"
    assert "http.response.status_code" not in attributes
    assert telemetry.points("paycombat.client.calls") == {_labels("request", "error"): 1}


async def test_each_request_call_is_named_by_its_own_method_and_path(
    client: PayCombat, telemetry: Telemetry
) -> None:
    payout = await client.payouts.create(**_payout(order_id="order-adhoc"))
    retrieve = OPERATIONS["payouts.retrieve"].render_path({"payout_id": payout.id})
    telemetry.spans.clear()

    await client.request("GET", retrieve)
    await client.request("GET", OPERATIONS["payouts.list"].path, params={"order_id": "x"})

    first, second = (dict(span.attributes or {}) for span in telemetry.finished())
    assert (first["paycombat.operation"], first["url.template"]) == ("request", retrieve)
    assert (second["paycombat.operation"], second["url.template"]) == (
        "request",
        OPERATIONS["payouts.list"].path,
    )


async def test_a_cancelled_create_in_flight_is_reported_in_doubt(
    client: PayCombat, sandbox: LocalSandbox, telemetry: Telemetry
) -> None:
    arrived = asyncio.Event()

    class Arrivals(list[RecordedRequest]):
        def append(self, request: RecordedRequest) -> None:
            super().append(request)
            arrived.set()

    sandbox.requests = Arrivals()
    sandbox.inject("Create Payout", latency=600)
    call = asyncio.ensure_future(client.payouts.create(**_payout(order_id="order-cancel")))
    await arrived.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call

    (span,) = telemetry.finished()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "cancelled"
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "cancelled"
    assert attributes["paycombat.outcome_unknown"] is True  # it had reached PayCombat
    assert attributes["paycombat.order_id"] == "order-cancel"
    assert span.events == ()
    assert telemetry.points("paycombat.client.calls") == {_labels("payouts.create", "cancelled"): 1}
    assert telemetry.points("paycombat.client.outcome_unknown") == {_operation("payouts.create"): 1}


async def test_a_batch_counts_its_items_by_status(client: PayCombat, telemetry: Telemetry) -> None:
    items = [_payout(order_id="batch-1"), _payout(order_id="batch-2"), {"order_id": "batch-3"}]

    results = await client.payouts.create_many(items)

    assert [r.status for r in results] == ["created", "created", "rejected"]
    assert telemetry.points("paycombat.batch.items") == {
        frozenset({("paycombat.batch.status", "created")}): 2,
        frozenset({("paycombat.batch.status", "rejected")}): 1,
    }
    assert telemetry.points("paycombat.client.calls") == {_labels("payouts.create", "ok"): 2}
    order_ids = [
        str((span.attributes or {})["paycombat.order_id"]) for span in telemetry.finished()
    ]
    assert sorted(order_ids) == ["batch-1", "batch-2"]


async def test_the_calls_span_is_current_while_it_runs(
    client: PayCombat, telemetry: Telemetry
) -> None:
    tracer = telemetry.tracer_provider.get_tracer("shop")
    with tracer.start_as_current_span("checkout page") as page:
        await client.payouts.create(**_payout(order_id="order-nested"))
        derived = client.with_options(timeout=5, max_retries=0)
        await derived.payouts.list(order_id="order-nested").to_list()

    create, listing, outer = telemetry.finished()
    assert outer.name == "checkout page"
    assert (create.name, listing.name) == ("paycombat payouts.create", "paycombat payouts.list")
    for span in (create, listing):  # children of the application's span, with_options too
        assert span.parent is not None
        assert span.parent.span_id == page.get_span_context().span_id


def test_the_blocking_client_reports_the_same_spans(
    telemetry: Telemetry, paycombat_sync_sandbox: paycombat_sync.sandbox.LocalSandbox
) -> None:
    with (
        client_for(
            paycombat_sync_sandbox,
            tracer_provider=telemetry.tracer_provider,
            meter_provider=telemetry.meter_provider,
        ) as client,
        telemetry.tracer_provider.get_tracer("shop").start_as_current_span("view") as view,
    ):
        client.payouts.create(**_payout(order_id="order-blocking"))

    span, _ = telemetry.finished()
    assert span.name == "paycombat payouts.create"
    # A child of the calling thread's span, although the call ran on the client's loop thread.
    assert span.parent is not None
    assert span.parent.span_id == view.get_span_context().span_id
    assert (span.attributes or {})["paycombat.order_id"] == "order-blocking"
    assert telemetry.points("paycombat.client.calls") == {_labels("payouts.create", "ok"): 1}


# -- secrets ----------------------------------------------------------------------------------


async def test_no_secret_or_account_number_reaches_a_span_a_metric_or_a_debug_line(
    sandbox: LocalSandbox,
    telemetry: Telemetry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    monkeypatch.setenv("PAYCOMBAT_LOG", "debug")
    async with _client(sandbox, telemetry) as client:
        payout = await client.payouts.create(**_payout(order_id="order-secret"))
        await client.payouts.retrieve(payout.id)
        # The sandbox's checkout link holds a checkout token and the merchant's X-token.
        checkout = await client.checkouts.create_payment_request(
            amount=Decimal("100.00"),
            currency="AUD",
            country_code="AU",
            description="invoice-1",
            advanced_redirect_url=AdvancedRedirectUrl(completed_url="https://shop.example/done"),
        )
        sandbox.inject("Create Payout", status=503)
        with pytest.raises(OutcomeUnknownError):
            await client.payouts.create(**_payout(order_id="order-secret-2"))
        sandbox.inject("Retrieve Payout", status=503)
        await client.payouts.retrieve(payout.id)

    assert checkout.checkout_url is not None
    assert checkout.checkout_token is not None
    assert sandbox.token in checkout.checkout_url  # so the test would see it leak
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len([line for line in debug if line.startswith("response ")]) == 6
    secrets = [
        sandbox.token,
        sandbox.signature_key,
        ACCOUNT_NUMBER,
        checkout.checkout_url,
        checkout.checkout_token,
        "checkout.paycombat.com",
    ]
    text = "\n".join([telemetry.exported(), *debug, caplog.text])
    for secret in secrets:
        assert secret not in text
    # What was scrubbed is still there for a reader: the order_id, and a marker where the
    # account number was.
    assert '"account_number": "[REDACTED]"' in "\n".join(debug)
    assert "order-secret" in telemetry.exported()


async def test_debug_lines_tell_each_attempt_of_a_call(
    sandbox: LocalSandbox,
    telemetry: Telemetry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    monkeypatch.setenv("PAYCOMBAT_LOG", "debug")
    async with _client(sandbox, telemetry) as client:
        payout = await client.payouts.create(**_payout(order_id="order-log"))
        caplog.clear()
        sandbox.inject("Retrieve Payout", status=503)
        await client.payouts.retrieve(payout.id)

    lines = [r.getMessage() for r in caplog.records if r.name == "paycombat"]
    path = f"/api/v1/payout-method/retrieve-payout/{payout.id}"
    requests = [line for line in lines if line.startswith("request ")]
    responses = [line for line in lines if line.startswith("response ")]
    assert requests == [
        f"request payouts.retrieve: GET {path} (attempt 1) body=",
        f"request payouts.retrieve: GET {path} (attempt 2) body=",
    ]
    first, second = responses
    assert first.startswith(f"response payouts.retrieve: GET {path} (attempt 1) -> 503 in ")
    assert " ms (ServerError) body={" in first
    assert second.startswith(f"response payouts.retrieve: GET {path} (attempt 2) -> 200 in ")
    assert '"order_id": "order-log"' in second


async def test_without_the_variable_no_body_is_logged(
    client: PayCombat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    await client.payouts.create(**_payout(order_id="order-quiet"))
    assert [r.getMessage() for r in caplog.records] == [
        "Create Payout (POST /api/v1/payout/create-payout) -> 200"
    ]


def test_an_unknown_log_setting_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYCOMBAT_LOG", "verbose")
    with pytest.raises(ConfigurationError, match="PAYCOMBAT_LOG must be 'debug' or unset"):
        PayCombat(token="snd_x", signature_key="k")


# -- without OpenTelemetry, and with the global providers --------------------------------------

BLOCK_OPENTELEMETRY = """
import importlib.abc, sys

class NoOpenTelemetry(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "opentelemetry":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoOpenTelemetry())
"""

CREATE_ONE = """
import asyncio, json, sys
from decimal import Decimal
from paycombat_async import PayCombat
from paycombat_async.sandbox import LocalSandbox

ARGS = dict(
    payout_beneficiary_param={
        "individual": {"first_name": "Ana", "last_name": "Lima"},
        "account_number": "12345678",
        "bsb": "123456",
    },
    sender_amount=Decimal("25.00"), sender_currency="AUD", sender_country="AU",
    beneficiary_amount=Decimal("25.00"), beneficiary_currency="AUD",
    payout_method_name="au_bank_acct", purpose_code="SELF",
)
"""


def test_without_opentelemetry_a_call_works_and_nothing_is_imported() -> None:
    done = run(
        BLOCK_OPENTELEMETRY
        + CREATE_ONE
        + """
from paycombat_async._core.pipeline import Pipeline

async def main():
    async with LocalSandbox() as sb, PayCombat(
        token=sb.token, signature_key=sb.signature_key, base_url=sb.base_url
    ) as client:
        payout = await client.payouts.create(**ARGS, order_id="no-otel")
        plain = type(client._pipeline) is Pipeline
    loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
    print(json.dumps([payout.order_id, plain, loaded]))

asyncio.run(main())
"""
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["no-otel", True, []]


def test_importing_the_package_never_imports_opentelemetry() -> None:
    done = run("""
import json, sys
import paycombat_async, paycombat_sync
from paycombat_async import ClientConfig, PayCombat
print(json.dumps(sorted(name for name in sys.modules if name.startswith("opentelemetry"))))
""")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_global_providers_are_used_once_the_application_sets_them() -> None:
    done = run(
        CREATE_ONE
        + """
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

async def main():
    async with LocalSandbox() as sb, PayCombat(
        token=sb.token, signature_key=sb.signature_key, base_url=sb.base_url
    ) as client:
        # No provider yet: the call is not observed at all (not even a no-op span).
        listening = [client._pipeline.observer.listening()]
        await client.payouts.create(**ARGS, order_id="before")
        spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(spans))
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
        listening.append(client._pipeline.observer.listening())
        await client.payouts.create(**ARGS, order_id="after")
    (metric,) = reader.get_metrics_data().resource_metrics[0].scope_metrics[0].metrics[:1]
    print(json.dumps([
        listening,
        [span.attributes["paycombat.order_id"] for span in spans.get_finished_spans()],
        metric.name,
        [point.value for point in metric.data.data_points],
    ]))

asyncio.run(main())
"""
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[False, True], ["after"], "paycombat.client.calls", [1]]


def test_a_meter_provider_set_alone_is_listened_to() -> None:
    # Whether a global provider is set is read from the OpenTelemetry API's private globals
    # (the public calls cost ~6% of a call): were they renamed, every call would be observed
    # before any provider is set, and this would fail on "fast".
    done = run(
        """
import json
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from paycombat_async import PayCombat

client = PayCombat(token="snd_x", signature_key="k")
observer = client._pipeline.observer
listening = [observer.instruments.globals.fast, observer.listening()]
metrics.set_meter_provider(MeterProvider())
listening.append(observer.listening())
print(json.dumps(listening))
"""
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, False, True]


def test_a_provider_named_by_the_environment_is_used() -> None:
    # OTEL_PYTHON_TRACER_PROVIDER names a provider that OpenTelemetry loads when it is first
    # asked for: the client asks when it is created.
    done = run(
        """
import json, os
os.environ["OTEL_PYTHON_TRACER_PROVIDER"] = "sdk_tracer_provider"
from paycombat_async import PayCombat

client = PayCombat(token="snd_x", signature_key="k")
print(json.dumps([client._pipeline.observer.listening()]))
"""
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True]
