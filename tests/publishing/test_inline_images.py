"""Inline images: ``<figure data-image="ID">`` in a body names an image of the library."""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection
from PIL import Image as PILImage

from masthead.publishing.body import inline_image_ids, split_blocks
from masthead.publishing.images import image_html
from masthead.publishing.models import Article, Image
from masthead.publishing.selectors import article_head, images_by_id
from masthead.publishing.services import article_save, image_save
from tests.admin_forms import article_admin_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "①", "٣", "-1", "1.0", "0x1", "", "99999999999999999999"])
def test_an_odd_image_id_in_the_admin_is_dropped_not_a_500(client, section, value):
    client.force_login(User.objects.create_superuser("chief", password="a long enough password"))
    data = article_admin_form(
        section,
        body_html=f'<p>Kept words.</p><figure data-image="{value}"><figcaption>x</figcaption></figure>',
        access="free",
    )
    response = client.post("/admin/publishing/article/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="a-story")
    assert [block["text"] for block in article.blocks] == ["Kept words."]


def picture(**words) -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (16, 9), "navy").save(buffer, format="JPEG")
    values = {"alt": "A harbour at dawn", "caption": "The harbour.", "credit": "© Desk"} | words
    return image_save(image=Image(file=ContentFile(buffer.getvalue(), name="harbour.jpg"), **values))


def test_an_embedded_image_is_stored_as_a_reference_and_recorded(make_article):
    image = picture()
    article = make_article(
        body_html=(
            f'<p>Before.</p><figure data-image="{image.pk}"><figcaption>Typed by hand</figcaption></figure>'
            '<figure data-image="987654"></figure><p>After.</p>'
        )
    )
    assert article.blocks == [
        {"kind": "paragraph", "html": "<p>Before.</p>", "text": "Before."},
        {"kind": "image", "image_id": image.pk, "html": "", "text": ""},
        {"kind": "paragraph", "html": "<p>After.</p>", "text": "After."},
    ]
    assert list(article.inline_images.all()) == [image]
    # The derivation asks once which named images exist.
    assert inline_image_ids(split_blocks(article.body_html, lambda ids: ids)) == [image.pk, 987654]


def test_an_image_edit_moves_the_version_of_every_article_that_shows_it(make_article):
    image = picture()
    inline = make_article(body_html=f'<p>Words.</p><figure data-image="{image.pk}"></figure>')
    lead = make_article(lead_image=image)
    both = make_article(lead_image=image, body_html=f'<figure data-image="{image.pk}"></figure>')
    other = make_article()
    for article in (inline, lead, both, other):
        assert article_head(article.slug).version == 1  # remembered before the edit

    image.caption = "The harbour, rebuilt."
    image.credit = "© Kyodo"
    image_save(image=image)

    versions = {a.slug: a.version for a in Article.objects.all()}
    assert versions == {inline.slug: 2, lead.slug: 2, both.slug: 2, other.slug: 1}
    # Heads are forgotten with the edit, so this worker serves the new version at once.
    assert {a.slug: article_head(a.slug).version for a in (inline, lead, both, other)} == versions
    # The article holds the reference; the page renders the image's new words from it.
    inline.refresh_from_db()
    assert inline.blocks[1] == {"kind": "image", "image_id": image.pk, "html": "", "text": ""}
    assert images_by_id(inline_image_ids(inline.blocks))[image.pk].caption == "The harbour, rebuilt."


def test_removing_the_figure_from_the_body_unlinks_the_image(make_article):
    image = picture()
    article = make_article(body_html=f'<figure data-image="{image.pk}"></figure><p>Words.</p>')
    article.body_html = "<p>Words.</p>"
    article_save(article=article)
    assert not article.inline_images.exists()
    image_save(image=image)
    article.refresh_from_db()
    assert article.version == 2  # the image's edit no longer concerns it


def test_the_image_admin_saves_through_the_service(client, make_article):
    client.force_login(User.objects.create_superuser("chief", password="a long enough password"))
    image = picture()
    article = make_article(body_html=f'<figure data-image="{image.pk}"></figure><p>Words.</p>')
    data = {"alt": image.alt, "caption": "A new caption", "credit": image.credit}
    response = client.post(f"/admin/publishing/image/{image.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    image.refresh_from_db()
    article.refresh_from_db()
    assert (image.caption, article.version) == ("A new caption", 2)


def test_deleting_an_image_moves_the_articles_that_showed_it(client, make_article):
    client.force_login(User.objects.create_superuser("chief", password="a long enough password"))
    image = picture()
    inline = make_article(body_html=f'<figure data-image="{image.pk}"></figure><p>Words.</p>')
    lead = make_article(lead_image=image)
    response = client.post(f"/admin/publishing/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Image.objects.filter(pk=image.pk).exists()
    inline.refresh_from_db()
    lead.refresh_from_db()
    assert (inline.version, lead.version, lead.lead_image) == (2, 2, None)
    assert images_by_id(inline_image_ids(inline.blocks)) == {}  # the reference left behind finds nothing


def test_images_by_id_is_one_query_and_leaves_out_missing_ids(django_assert_num_queries):
    first, second = picture(), picture(caption="Second.")
    with django_assert_num_queries(1):
        found = images_by_id([first.pk, second.pk, 987654, first.pk])
    assert found == {first.pk: first, second.pk: second}
    with django_assert_num_queries(0):
        assert images_by_id([]) == {}


def test_a_page_whose_body_embeds_an_image_still_serves_its_text(client, make_article):
    image = picture()
    article = make_article(
        access="free", body_html=f'<p>Opening words.</p><figure data-image="{image.pk}"></figure><p>Closing words.</p>'
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert article.headline in html
    assert "Opening words." in html and "Closing words." in html
    # The structured data's articleBody is the blocks' text: the image block adds nothing to it.
    assert "Opening words.\\n\\nClosing words." in html


def test_the_data_migration_turns_stored_figures_into_references(make_article):
    image = picture()
    article = make_article(body_html=f'<p>Words.</p><figure data-image="{image.pk}"></figure>')
    plain = make_article(body_html="<p>Only words.</p>")
    # As saved before 0004: the figure's HTML in the block, the image unrecorded.
    rendered = {"kind": "image", "html": str(image_html(image)), "text": ""}
    Article.objects.filter(pk=article.pk).update(blocks=[article.blocks[0], rendered])
    article.inline_images.clear()

    migration = importlib.import_module("masthead.publishing.migrations.0005_inline_images_by_reference")
    migration.rederive_blocks(django_apps, SimpleNamespace(connection=connection))

    article.refresh_from_db()
    assert article.blocks[1] == {"kind": "image", "image_id": image.pk, "html": "", "text": ""}
    assert (article.version, list(article.inline_images.all())) == (2, [image])
    plain.refresh_from_db()
    assert plain.version == 1  # unchanged blocks are not written


def test_a_caption_edit_reaches_every_page_that_embeds_the_image(client, make_article):
    """The figure is rendered from its reference with the page, so the new caption shows at once."""
    image = picture(caption="The old caption", credit="© Old Agency")
    first = make_article(access="free", body_html=f'<p>Before.</p><figure data-image="{image.pk}"></figure>')
    second = make_article(access="free", body_html=f'<figure data-image="{image.pk}"></figure><p>After.</p>')
    for article in (first, second):
        html = client.get(article.get_absolute_url()).content.decode()
        assert article.headline in html and "The old caption" in html and "© Old Agency" in html
    image.caption, image.credit = "The new caption", "© New Agency"
    image_save(image=image)
    for article in (first, second):
        html = client.get(article.get_absolute_url()).content.decode()
        assert article.headline in html and "The new caption" in html and "© New Agency" in html
        assert "The old caption" not in html
