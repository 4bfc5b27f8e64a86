"""Editors' HTML is cleaned when saved: nothing executable reaches a page."""

import pytest

from masthead.publishing.body import split_blocks
from tests.controls import assert_article_page

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p>Before<script>alert("x")</script> after</p>'
    '<img src="/x.png" onerror="alert(1)">'
    '<p onclick="steal()">Click <a href="javascript:alert(2)">here</a></p>'
    '<iframe src="https://evil.example"></iframe><style>body{}</style>'
)


def test_scripts_and_event_handlers_never_reach_the_page(client, make_article):
    article = make_article(body_html=HOSTILE, access="free")
    for url in (article.get_absolute_url(), article.get_print_url()):
        html = assert_article_page(client.get(url), article).lower()
        assert "alert(" not in html and "steal()" not in html
        assert html.count("<script") == html.count('<script type="application/ld+json"')
        assert "onerror" not in html
        assert "onclick" not in html
        assert "javascript:" not in html
        assert "<iframe" not in html
        assert "before after" in html


def test_blocks_split_at_top_level_elements():
    blocks = split_blocks('Loose text<p>One</p><h2>Sub</h2><hr class="paywall"><blockquote><p>Q</p></blockquote>')
    assert [b["kind"] for b in blocks] == ["paragraph", "paragraph", "subhead", "paywall_break", "quote"]
    assert blocks[0]["html"] == "<p>Loose text</p>"


def test_empty_paragraphs_are_dropped_and_entities_survive():
    blocks = split_blocks("<p> </p><p>Fish &amp; chips &lt;3</p>")
    assert len(blocks) == 1
    assert blocks[0]["html"] == "<p>Fish &amp; chips &lt;3</p>"
    assert blocks[0]["text"] == "Fish & chips <3"
