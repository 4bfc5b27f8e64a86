"""Re-derive every article's blocks, so bodies saved before 0004 hold image references, not figure HTML.

It uses ``body.split_blocks``, the derivation ``services.article_blocks`` wraps, asked about images
through the historical model. Only articles whose blocks change are written; they move to a new version.
Going back leaves the reference blocks in place (the old code rendered them as nothing until the
article was saved again, which rendered its figures anew).
"""

from django.db import migrations

from masthead.publishing.body import inline_image_ids, split_blocks

BATCH = 500


def rederive_blocks(apps, schema_editor):
    Article = apps.get_model("publishing", "Article")
    Image = apps.get_model("publishing", "Image")
    db = schema_editor.connection.alias

    def existing(ids):
        return set(Image.objects.using(db).filter(pk__in=ids).values_list("pk", flat=True))

    # Batches of ids rather than one open cursor: SQLite would see this loop's own writes in it.
    pks = list(Article.objects.using(db).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        batch = Article.objects.using(db).filter(pk__in=pks[start : start + BATCH]).only("body_html", "blocks", "version")
        for article in batch:
            blocks = split_blocks(article.body_html, existing)
            if blocks != article.blocks:
                article.blocks = blocks
                article.version += 1
                article.save(update_fields=["blocks", "version"])
            if ids := inline_image_ids(blocks):
                article.inline_images.set(ids)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0004_article_inline_images"),
    ]

    operations = [
        migrations.RunPython(rederive_blocks, migrations.RunPython.noop, elidable=True),
    ]
