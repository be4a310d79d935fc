"""Announcements moved to their own app (announcements): their models leave the chapters
app's state here and enter the announcements app's in its 0001. The database is untouched:
the tables keep their names (`db_table`), so nothing is copied and no row moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("chapters", "0007_material_audience_public_logos"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name='announcement',
                    name='chapters_ann_status',
                ),
                migrations.RemoveIndex(
                    model_name='delivery',
                    name='chapters_delivery_status',
                ),
                migrations.RemoveIndex(
                    model_name='delivery',
                    name='chapters_delivery_open',
                ),
                migrations.RemoveConstraint(
                    model_name='delivery',
                    name='chapters_delivery_unique',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='announcement',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Announcement',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
    
            ],
            database_operations=[],
        ),
    ]
