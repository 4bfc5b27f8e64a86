"""Reading ``GET /metrics`` as Prometheus does: the text parsed by prometheus_client's own parser."""

from __future__ import annotations

from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

# 43 characters, as secrets.token_urlsafe(32) makes them.
TOKEN = "mZ0q3vY_8rPp-JtWn2Lk7sXc4HbGe9AfQd1Ui6Oa5Ro"


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def scrape(client, **request) -> list:
    """The metric families of one scrape with the right token; fails unless the answer is a 200 in text format."""
    response = client.get("/metrics", **{**bearer(), **request})
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return list(text_string_to_metric_families(response.content.decode()))


def samples(families, name: str, *labels: str) -> dict[tuple, float]:
    """The samples called ``name`` (e.g. ``masthead_webhook_events``), keyed by the values of ``labels``."""
    return {
        tuple(sample.labels[label] for label in labels): sample.value
        for family in families
        for sample in family.samples
        if sample.name == name
    }


def decisions(families) -> Counter:
    """masthead_paywall_decisions_total per (reason, outcome)."""
    found = Counter()
    for family in families:
        for sample in family.samples:
            if sample.name == "masthead_paywall_decisions_total":
                found[(sample.labels["reason"], sample.labels["outcome"])] = sample.value
    return found


def meter_seconds_count(families) -> float:
    return samples(families, "masthead_meter_store_seconds_count").get((), 0.0)
