from django.db import migrations

ENFOQUES = [
    ("derechos-humanos", "Derechos humanos"),
    ("genero", "Género"),
    ("diferencial", "Diferencial"),
    ("poblacional", "Poblacional"),
    ("territorial", "Territorial"),
    ("ambiental", "Ambiental"),
]


def crear_enfoques(apps, schema_editor):
    Enfoque = apps.get_model("indicadores", "Enfoque")
    for codigo, nombre in ENFOQUES:
        Enfoque.objects.update_or_create(codigo=codigo, defaults={"nombre": nombre})


class Migration(migrations.Migration):
    dependencies = [("indicadores", "0001_initial")]
    operations = [migrations.RunPython(crear_enfoques, migrations.RunPython.noop)]
