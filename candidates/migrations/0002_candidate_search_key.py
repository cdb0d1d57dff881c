from django.db import migrations, models


def fill_search_keys(apps, schema_editor):
    # The model's save() fills the key; historical models don't run it, so compute it here.
    from candidates.models import candidate_search_key

    Candidate = apps.get_model("candidates", "Candidate")
    candidates = list(Candidate.objects.only("first_name", "last_name", "list_name"))
    for candidate in candidates:
        candidate.search_key = candidate_search_key(
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            list_name=candidate.list_name,
        )
    Candidate.objects.bulk_update(candidates, ["search_key"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="search_key",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                help_text="Prénom et nom (dans les deux ordres) et liste, sans accents ni espaces.",
                max_length=600,
                verbose_name="clé de recherche",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
    ]
