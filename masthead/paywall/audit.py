"""Look for paywalled text in everything a site serves to a reader without access.

Acting as fresh anonymous readers against a running site, it spends the meter, then fetches every
published non-free article through every road a reader has (page, URL variants, print view, HEAD,
crawler and referrer disguises, feeds, sitemaps, listings) and searches each response for the
blocks that the database says lie behind the paywall.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

from masthead.publishing.access import AccessLevel
from masthead.publishing.models import Article

from .policy import teaser_length
from .services import article_access
from .settings import meter_rules

_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,]{10,}[A-Za-z0-9]")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SPACE = re.compile(r"\s+")
GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SHARED_ROADS = ("/", "/feeds/latest.rss", "/feeds/latest.atom", "/sitemap.xml", "/sitemap-sections.xml")
LISTED_SITEMAPS = "GET the sitemaps /sitemap.xml lists"


class AuditError(Exception):
    """The audit could not run (site unreachable, nothing to audit)."""


@dataclass(frozen=True)
class Leak:
    road: str  # the request that served it: "GET print view /politics/story/"
    article: str
    block: int
    probe: str
    kind: str = ""  # the road it came by, as ``RoadResult`` names it: "GET print view"


@dataclass
class RoadResult:
    """What one road found over every audited article.

    A road is a way of asking for an article ("GET page", "GET print view", "HEAD page", ...), the same
    for each article, or one page shared by all (``GET /feeds/latest.rss``); the sitemaps of the months
    that ``/sitemap.xml`` lists are one road.
    """

    road: str
    responses: int = 0
    leaks: list[Leak] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # requests that did not show their article


@dataclass
class AuditReport:
    articles: int = 0
    responses: int = 0
    leaks: list[Leak] = field(default_factory=list)
    # Article pages that did not show their headline: the audit was not looking at the article there,
    # so "no leak" on that road proves nothing.
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Every road checked, leaking or not, in the order first checked.
    roads: dict[str, RoadResult] = field(default_factory=dict)

    def road(self, name: str) -> RoadResult:
        """The result of the road ``name``, new if it was not checked yet."""
        return self.roads.setdefault(name, RoadResult(name))


@dataclass(frozen=True)
class Target:
    slug: str
    headline: str
    path: str
    print_path: str
    section_path: str
    section_feed: str
    metered: bool
    probes: tuple[tuple[int, str], ...]  # (block index, text that must not appear)


def probe_for(text: str) -> str | None:
    """A distinctive run of plain words from a block (plain, so escaping cannot hide it)."""
    runs = sorted(_WORDS.findall(text), key=len, reverse=True)
    if not runs:
        return None
    return _SPACE.sub(" ", runs[0])[:80].strip()


def normalise(body: str) -> str:
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), body)
    text = html.unescape(text.replace('\\"', '"').replace("\\/", "/"))
    return _SPACE.sub(" ", text)


def audit_targets() -> list[Target]:
    rules = meter_rules()
    targets = []
    articles = Article.objects.visible().select_related("section").order_by("publish_at", "pk")
    for article in articles:
        access = article_access(article)
        if access.level == AccessLevel.FREE:
            continue
        hidden = article.content_blocks[teaser_length(access, rules) :]
        probes = tuple(
            (index, probe)
            for index, block in enumerate(hidden, start=len(article.content_blocks) - len(hidden))
            if (probe := probe_for(block["text"]))
        )
        targets.append(
            Target(
                slug=article.slug,
                headline=article.headline,
                path=article.get_absolute_url(),
                print_path=article.get_print_url(),
                section_path=article.section.get_absolute_url(),
                section_feed=f"/feeds/{article.section.slug}.rss",
                metered=access.level == AccessLevel.METERED,
                probes=probes,
            )
        )
    return targets


class Browser:
    """One anonymous reader: a cookie jar and plain HTTP."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def fetch(self, path: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> str:
        # The base URL is checked for http(s) by the command before any request is made.
        request = urllib.request.Request(self.base_url + path, method=method, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            raise AuditError(f"cannot reach {self.base_url}{path}: {error}") from error


def roads_for(target: Target) -> list[tuple[str, str, dict[str, str]]]:
    """(label, path, headers) for each way a reader can ask for an article; method in the label."""
    upper = target.path.upper()
    return [
        ("GET page", target.path, {}),
        ("GET query string", target.path + "?utm_source=audit&full=1", {}),
        ("GET no trailing slash", target.path.rstrip("/"), {}),
        ("GET upper case", upper, {}),
        ("GET double slash", target.path.replace("/", "//", 1), {}),
        ("GET print view", target.print_path, {}),
        ("GET print with query", target.print_path + "?print=1", {}),
        ("GET as JSON", target.path, {"Accept": "application/json"}),
        ("GET spoofed Googlebot", target.path, {"User-Agent": GOOGLEBOT_UA}),
        # A real Googlebot address, claimed in the header a proxy would set.
        (
            "GET Googlebot via forged X-Forwarded-For",
            target.path,
            {"User-Agent": GOOGLEBOT_UA, "X-Forwarded-For": "66.249.66.1"},
        ),
        ("GET search referrer", target.path, {"Referer": "https://www.google.com/"}),
        ("GET social referrer", target.path, {"Referer": "https://t.co/audit"}),
        ("HEAD page", target.path, {}),
        ("GET section page", target.section_path, {}),
        ("GET section feed", target.section_feed, {}),
    ]


_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")


def listed_sitemaps(index: str) -> list[str]:
    """The paths of the sitemaps that a sitemap index lists."""
    return [urllib.parse.urlsplit(html.unescape(url)).path for url in _LOC.findall(index)]


def _check(report: AuditReport, road: str, body: str, targets: Iterable[Target], *, kind: str = "") -> None:
    """Search ``body`` (served for the request ``road``) for every target's hidden text.

    ``kind`` is the road it counts towards, when several requests are one road (default: ``road``).
    """
    result = report.road(kind or road)
    report.responses += 1
    result.responses += 1
    text = normalise(body)
    for target in targets:
        for index, probe in target.probes:
            if probe in text:
                leak = Leak(road, target.slug, index, probe, result.road)
                report.leaks.append(leak)
                result.leaks.append(leak)


def _spend_meter(browser: Browser, articles: list[Target], limit: int) -> list[Target]:
    spent = articles[:limit]
    for target in spent:
        browser.fetch(target.path)
    return spent


def run_audit(base_url: str, *, timeout: float = 10.0) -> AuditReport:
    targets = audit_targets()
    if not targets:
        raise AuditError("no published non-free articles to audit")
    report = AuditReport(articles=len(targets))
    limit = meter_rules().anonymous_limit
    metered = [t for t in targets if t.metered]
    # Two readers, so the articles the first one spends its meter on are audited by the second.
    first = Browser(base_url, timeout)
    spent_first = _spend_meter(first, metered, limit)
    second = Browser(base_url, timeout)
    spent_second = _spend_meter(second, [t for t in metered if t not in spent_first], limit)
    if len(spent_second) < len(spent_first):
        report.notes.append("not enough metered articles for a second reader: some spent articles were not audited")
    passes = [
        (first, [t for t in targets if t not in spent_first]),
        (second, [t for t in spent_first if t not in spent_second]),
    ]
    for browser, audited in passes:
        for road in SHARED_ROADS:
            _check(report, f"GET {road}", browser.fetch(road), audited)
        # Every sitemap the index names (one per month of articles), found as a crawler finds them.
        for road in listed_sitemaps(browser.fetch("/sitemap.xml")):
            _check(report, f"GET {road}", browser.fetch(road), audited, kind=LISTED_SITEMAPS)
        for target in audited:
            for label, path, headers in roads_for(target):
                method = "HEAD" if label.startswith("HEAD") else "GET"
                body = browser.fetch(path, method=method, headers=headers)
                if label == "GET page" and target.headline not in normalise(body):
                    report.missing.append(f"{label} {path}")
                    report.road(label).missing.append(f"{label} {path}")
                _check(report, f"{label} {path}", body, audited, kind=label)
    return report


def report_lines(report: AuditReport) -> list[str]:
    lines = [f"LEAK {leak.road}: {leak.article} block {leak.block}: {leak.probe!r}" for leak in report.leaks]
    lines += [f"NOT THE ARTICLE {road}: the page does not show its headline" for road in report.missing]
    lines += [f"note: {note}" for note in report.notes]
    lines.append(
        f"paywall audit: {report.articles} non-free articles, {report.responses} responses checked, "
        f"{len(report.leaks)} leak(s) found"
    )
    return lines
