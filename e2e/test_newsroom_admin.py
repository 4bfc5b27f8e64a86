"""An editor works in the admin: finds a story, previews it as a reader would, without CSP violations."""

from playwright.sync_api import expect

from e2e.controls import expect_article
from masthead.publishing.models import Article


def test_editor_searches_edits_and_previews(page, demo_site, screenshot):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(demo_site.url + "/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("demo-e2e-password")
    page.get_by_role("button", name="Log in").click()
    page.goto(demo_site.url + "/admin/publishing/article/?q=Abe")
    expect(page.locator("#result_list")).to_contain_text("Tense US-Russia relations complicate Abe's diplomacy")
    screenshot("admin-1-articles")
    page.get_by_role("link", name="Tense US-Russia relations complicate Abe's diplomacy").first.click()
    expect(page.locator("#id_headline")).to_have_value("Tense US-Russia relations complicate Abe's diplomacy")
    screenshot("admin-2-change")
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Preview as a reader").click()
    preview = popup.value
    expect_article(preview, Article.objects.get(slug="tense-us-russia-relations-complicate-abes-diplomacy"))
    expect(preview.locator(".preview-banner")).to_be_visible()
    assert not violations, violations
