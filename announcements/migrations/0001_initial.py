"""The announcements and their deliveries, moved here from the chapters app (whose 0008
takes them out of its state): state only, the tables are the ones chapters created
(`db_table` keeps their names), with their rows."""

import django.db.models.deletion
import django_countries.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('chapters', '0008_announcements_move_to_their_app'),
        ('members', '0007_directory_listing_and_reads'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Announcement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('chapter', 'Aviso de capítulo'), ('jornadas', 'Aviso de Jornadas Informativas'), ('programs', 'Aviso de programas de formación'), ('opportunities', 'Aviso de oportunidades PNCS')], default='chapter', max_length=16, verbose_name='tipo')),
                        ('subject_es', models.CharField(max_length=200, verbose_name='asunto (español)')),
                        ('subject_en', models.CharField(max_length=200, verbose_name='asunto (inglés)')),
                        ('body_es', models.TextField(help_text='En formato Markdown.', max_length=20000, verbose_name='mensaje (español)')),
                        ('body_en', models.TextField(help_text='En formato Markdown.', max_length=20000, verbose_name='mensaje (inglés)')),
                        ('audience_all_members', models.BooleanField(default=False, verbose_name='todos los miembros')),
                        ('audience_countries', django_countries.fields.CountryField(blank=True, max_length=746, multiple=True, verbose_name='miembros residentes en')),
                        ('status', models.CharField(choices=[('draft', 'Borrador'), ('scheduled', 'Programado'), ('sending', 'Enviándose'), ('sent', 'Enviado'), ('cancelled', 'Cancelado')], default='draft', max_length=10, verbose_name='estado')),
                        ('scheduled_for', models.DateTimeField(blank=True, null=True, verbose_name='programado para')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='creado el')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='envío iniciado el')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='envío terminado el')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelado el')),
                        ('recipients_ready_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='destinatarios listos el')),
                        ('recipients_enqueued_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('audience_chapters', models.ManyToManyField(blank=True, related_name='+', to='chapters.chapter', verbose_name='miembros de los capítulos')),
                        ('audience_jornadas', models.ManyToManyField(blank=True, related_name='announcements', to='chapters.jornada', verbose_name='registrados confirmados de las Jornadas')),
                        ('audience_sectors', models.ManyToManyField(blank=True, related_name='+', to='members.sector', verbose_name='miembros de los sectores')),
                        ('chapter', models.ForeignKey(blank=True, help_text='Vacío: aviso del IME a toda la red.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='announcements', to='chapters.chapter', verbose_name='capítulo que publica')),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='creado por')),
                        ('reminder_for', models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminder', to='chapters.jornada', verbose_name='recordatorio de la Jornada')),
                    ],
                    options={
                        'verbose_name': 'aviso',
                        'verbose_name_plural': 'avisos',
                        'db_table': 'chapters_announcement',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pendiente'), ('sending', 'Enviándose'), ('sent', 'Enviado'), ('failed', 'Fallido'), ('skipped', 'Omitido'), ('cancelled', 'Cancelado')], default='pending', max_length=10, verbose_name='estado')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='motivo')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='intentos')),
                        ('enqueued_at', models.DateTimeField(blank=True, null=True, verbose_name='encolado el')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='tomado el')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='enviado el')),
                        ('unsubscribed_at', models.DateTimeField(blank=True, null=True, verbose_name='se dio de baja el')),
                        ('announcement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='announcements.announcement', verbose_name='aviso')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='announcement_deliveries', to=settings.AUTH_USER_MODEL, verbose_name='destinatario')),
                    ],
                    options={
                        'verbose_name': 'entrega',
                        'verbose_name_plural': 'entregas',
                        'db_table': 'chapters_delivery',
                        'ordering': ['announcement', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='announcement',
                    index=models.Index(fields=['status', 'scheduled_for'], name='chapters_ann_status'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['announcement', 'status'], name='chapters_delivery_status'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['status', 'claimed_at'], name='chapters_delivery_open'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(fields=('announcement', 'user'), name='chapters_delivery_unique'),
                ),
    
            ],
            database_operations=[],
        ),
    ]
