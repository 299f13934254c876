from itertools import groupby

from django.db import migrations, models

# Frozen here: a migration must not change when surveys.scores does.
SCALE_KINDS = ("competency", "agreement")


def pack_existing_answers(apps, schema_editor):
    """Fill Response.scores from the Answer rows of responses stored before it existed."""
    import numpy as np

    Answer = apps.get_model("surveys", "Answer")
    Response = apps.get_model("surveys", "Response")
    pair = np.dtype([("item", "<u4"), ("value", "i1")])
    answers = (
        Answer.objects.filter(item__kind__in=SCALE_KINDS, number__isnull=False)
        .order_by("response_id", "pk")
        .values_list("response_id", "item_id", "number")
    )
    batch = []
    for response_id, rows in groupby(answers.iterator(chunk_size=10_000), key=lambda r: r[0]):
        packed = np.array([(item, number) for _, item, number in rows], dtype=pair).tobytes()
        batch.append(Response(pk=response_id, scores=packed))
        if len(batch) >= 1000:
            Response.objects.bulk_update(batch, ["scores"])
            batch = []
    Response.objects.bulk_update(batch, ["scores"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="scores",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.RunPython(pack_existing_answers, migrations.RunPython.noop),
    ]
