"""A reader opens the front page, follows the seed story, and finds the page a newspaper prints."""

from playwright.sync_api import expect

from e2e.controls import expect_article
from masthead.publishing.models import Article

SEED_HEADLINE = "Tense US-Russia relations complicate Abe's diplomacy"
SEED_SLUG = "tense-us-russia-relations-complicate-abes-diplomacy"


def test_reader_finds_the_seed_article_and_its_print_view(page, demo_site, screenshot):
    page.goto(demo_site.url + "/")
    expect(page.locator(".site-title")).to_contain_text("The Masthead Review")
    screenshot("01-front-page")

    page.get_by_role("link", name=SEED_HEADLINE).first.click()
    expect(page.locator("h1.headline")).to_have_text(SEED_HEADLINE)
    expect(page.locator(".section-label")).to_have_text("Politics")
    expect(page.locator(".lead-image figcaption .caption")).to_have_text(
        "Russian President Vladimir Putin and Japanese Prime Minister Shinzo Abe meet in Sochi in February."
    )
    expect(page.locator(".lead-image .credit")).to_have_text("© Kyodo")
    expect(page.locator(".lead-image img")).to_be_visible()
    expect(page.locator(".dateline")).to_have_text("TOKYO")
    expect(page.locator(".article-body h2")).to_have_text("Charm offensive")
    for network in ("facebook", "linkedin", "x", "mail"):
        expect(page.locator(f".share a.share-{network}")).to_be_visible()
    assert "facebook.com/sharer" in page.locator(".share a.share-facebook").get_attribute("href")
    screenshot("02-seed-article")

    page.get_by_role("link", name="Print").click()
    expect_article(page, Article.objects.get(slug=SEED_SLUG))
    expect(page.locator("nav.sections")).to_have_count(0)
    expect(page.locator(".share")).to_have_count(0)
    expect(page.locator(".credit")).to_have_text("© Kyodo")
    screenshot("03-print-view")


def test_pages_raise_no_content_security_policy_violations(page, demo_site):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    seed = Article.objects.get(slug=SEED_SLUG)
    for path in ("/", "/politics/"):
        assert page.goto(demo_site.url + path).status == 200, path
        expect(page.get_by_role("link", name=SEED_HEADLINE).first).to_be_visible()
    expect_article(page, seed, page.goto(demo_site.url + seed.get_absolute_url()))
    assert not [m for m in messages if "Content Security Policy" in m], messages
