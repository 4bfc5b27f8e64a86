"""Finding 12: an author may not replace the picture, caption or alt text of an image a released article shows.

Authors edit images no published or scheduled article shows (their own uploads, their drafts' pictures);
once an editor has released an article, its images are the editors' to change.
"""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from masthead.publishing.models import ArticleStatus, Image
from masthead.publishing.roles import AUTHORS, EDITORS
from masthead.publishing.services import image_save

pytestmark = pytest.mark.django_db


def jpeg(colour: str = "navy") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (16, 9), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def picture() -> Image:
    return image_save(
        image=Image(file=ContentFile(jpeg(), name="harbour.jpg"), alt="A harbour at dawn", caption="The harbour.")
    )


def change(client, image: Image, **fields):
    data = {"alt": "Replaced alt", "caption": "Replaced caption", "credit": ""} | fields
    return client.post(f"/admin/publishing/image/{image.pk}/change/", data)


def shown_by(make_article, image: Image, how: str, status: str, **fields):
    if how == "lead":
        return make_article(lead_image=image, status=status, **fields)
    return make_article(body_html=f'<p>Text.</p><figure data-image="{image.pk}"></figure>', status=status, **fields)


def test_an_author_edits_an_image_no_article_shows(client, staff):
    image = picture()
    client.force_login(staff("writer", AUTHORS))
    assert 'name="caption"' in client.get(f"/admin/publishing/image/{image.pk}/change/").content.decode()
    response = change(client, image)
    assert response.status_code == 302, response.content.decode()[:2000]
    image.refresh_from_db()
    assert (image.caption, image.alt) == ("Replaced caption", "Replaced alt")


def test_an_author_edits_an_image_only_a_draft_shows(client, staff, make_article):
    image = picture()
    shown_by(make_article, image, "lead", ArticleStatus.DRAFT)
    client.force_login(staff("writer", AUTHORS))
    assert change(client, image).status_code == 302
    image.refresh_from_db()
    assert image.caption == "Replaced caption"


@pytest.mark.parametrize("how", ["lead", "inline"])
@pytest.mark.parametrize("status", [ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED])
def test_an_author_cannot_change_an_image_a_released_article_shows(client, staff, make_article, clock, how, status):
    image = picture()
    later = {"publish_at": clock.now + dt.timedelta(days=1)} if status == ArticleStatus.SCHEDULED else {}
    article = shown_by(make_article, image, how, ArticleStatus.PUBLISHED, **later)
    assert article.status == status
    client.force_login(staff("writer", AUTHORS))
    page = client.get(f"/admin/publishing/image/{image.pk}/change/")
    assert page.status_code == 200
    assert "The harbour." in page.content.decode()  # shown read-only
    assert 'name="caption"' not in page.content.decode()
    assert change(client, image).status_code == 403
    replaced = change(client, image, file=SimpleUploadedFile("other.jpg", jpeg("red"), content_type="image/jpeg"))
    assert replaced.status_code == 403
    image.refresh_from_db()
    assert (image.caption, image.alt, image.file.name) == ("The harbour.", "A harbour at dawn", image.file.name)
    assert image.file.name.startswith("images/") and "other" not in image.file.name


@pytest.mark.parametrize("how", ["lead", "inline"])
def test_an_editor_changes_an_image_a_published_article_shows(client, staff, make_article, how):
    image = picture()
    shown_by(make_article, image, how, ArticleStatus.PUBLISHED)
    client.force_login(staff("desk", EDITORS))
    assert change(client, image).status_code == 302
    image.refresh_from_db()
    assert image.caption == "Replaced caption"


def test_the_service_refuses_an_author_too(staff, make_article):
    image = picture()
    shown_by(make_article, image, "lead", ArticleStatus.PUBLISHED)
    image.caption = "Replaced caption"
    image_save(image=image, by=staff("desk", EDITORS))  # the positive control
    image.caption = "By the author"
    with pytest.raises(PermissionDenied):
        image_save(image=image, by=staff("writer", AUTHORS))
    image.refresh_from_db()
    assert image.caption == "Replaced caption"
