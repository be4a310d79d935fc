"""Duplicates and merges (issue 26): the IMMUTABLE key functions (members.matching), their
expression indexes on users and profiles (a trigram GiST index on the full name), the staff
review list of likely duplicates and the audited merges of two accounts."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import members.matching


# The IMMUTABLE functions the indexes call (members.matching).
FUNCTIONS_SQL = [
    """
    CREATE OR REPLACE FUNCTION members_mailbox_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT CASE WHEN dom = 'gmail.com' THEN replace(l, '.', '') ELSE l END || '@' || dom
    FROM (SELECT l, CASE d WHEN 'googlemail.com' THEN 'gmail.com'
                         WHEN 'me.com' THEN 'icloud.com' WHEN 'mac.com' THEN 'icloud.com'
                         WHEN 'pm.me' THEN 'proton.me' WHEN 'protonmail.com' THEN 'proton.me'
                         WHEN 'protonmail.ch' THEN 'proton.me' ELSE d END AS dom
          FROM (SELECT split_part(split_part(lower(email), '@', 1), '+', 1) AS l,
                       split_part(lower(email), '@', 2) AS d) AS parts) AS folded $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_local_part_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(split_part(split_part(lower(email), '@', 1), '+', 1),
                                '[^a-z0-9]', '', 'g') $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_name_key(given text, paternal text, maternal text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT btrim(regexp_replace(lower(public.members_unaccent(
        concat_ws(' ', given, paternal, maternal))), '\\s+', ' ', 'g')) $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_link_key(url text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(regexp_replace(lower(btrim(url)), '^https?://(www\\.)?', ''),
                                '[/?#]+$', '') $$
    """,
]

DROP_FUNCTIONS_SQL = [
    "DROP FUNCTION IF EXISTS members_mailbox_key(text)",
    "DROP FUNCTION IF EXISTS members_local_part_key(text)",
    "DROP FUNCTION IF EXISTS members_name_key(text, text, text)",
    "DROP FUNCTION IF EXISTS members_link_key(text)",
]


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('members', '0013_profileview_jornada_travel'),
    ]

    operations = [
        # The IMMUTABLE functions the expression indexes below call (members.matching).
        migrations.RunSQL(FUNCTIONS_SQL, DROP_FUNCTIONS_SQL),
        migrations.CreateModel(
            name='AccountMerge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('staff', 'Iniciada por el personal'), ('self', 'Pedida por la persona')], max_length=8, verbose_name='tipo')),
                ('status', models.CharField(choices=[('pending', 'Esperando confirmación'), ('done', 'Fusionadas'), ('cancelled', 'Cancelada')], default='pending', max_length=12, verbose_name='estado')),
                ('kept_email', models.EmailField(max_length=254, verbose_name='correo de la cuenta que se conserva')),
                ('merged_email', models.EmailField(max_length=254, verbose_name='correo de la cuenta que se fusiona')),
                ('kept_confirmed_at', models.DateTimeField(null=True, verbose_name='confirmada por la cuenta conservada')),
                ('merged_confirmed_at', models.DateTimeField(null=True, verbose_name='confirmada por la otra cuenta')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='iniciada el')),
                ('expires_at', models.DateTimeField(verbose_name='vence el')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='terminada el')),
                ('summary', models.JSONField(blank=True, default=dict, verbose_name='resumen')),
            ],
            options={
                'verbose_name': 'fusión de cuentas',
                'verbose_name_plural': 'fusiones de cuentas',
            },
        ),
        migrations.CreateModel(
            name='DuplicateCandidate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reasons', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('name_country', 'Mismo nombre y país'), ('similar_name', 'Nombre parecido'), ('link', 'Mismo ORCID, LinkedIn o sitio web'), ('mailbox', 'El mismo buzón de correo escrito de otra forma'), ('email_local', 'Correos con la misma parte local')], max_length=16), verbose_name='motivos')),
                ('similarity', models.FloatField(default=0, verbose_name='parecido de los nombres')),
                ('status', models.CharField(choices=[('open', 'Por revisar'), ('dismissed', 'No es un duplicado'), ('merging', 'Fusión iniciada'), ('merged', 'Fusionadas')], default='open', max_length=12, verbose_name='estado')),
                ('found_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='detectado el')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='revisado el')),
            ],
            options={
                'verbose_name': 'posible cuenta duplicada',
                'verbose_name_plural': 'posibles cuentas duplicadas',
            },
        ),
        migrations.AddIndex(
            model_name='profile',
            index=models.Index(models.F('country'), members.matching.NameKey('given_names', 'paternal_surname', 'maternal_surname'), condition=models.Q(models.Q(('given_names', ''), _negated=True), models.Q(('paternal_surname', ''), _negated=True)), name='members_profile_name_country'),
        ),
        migrations.AddIndex(
            model_name='profile',
            index=django.contrib.postgres.indexes.GistIndex(django.contrib.postgres.indexes.OpClass(members.matching.NameKey('given_names', 'paternal_surname', 'maternal_surname'), name='gist_trgm_ops'), condition=models.Q(models.Q(('given_names', ''), _negated=True), models.Q(('paternal_surname', ''), _negated=True)), name='members_profile_name_trgm'),
        ),
        migrations.AddIndex(
            model_name='profile',
            index=models.Index(condition=models.Q(('orcid', ''), _negated=True), fields=['orcid'], name='members_profile_orcid'),
        ),
        migrations.AddIndex(
            model_name='profile',
            index=models.Index(members.matching.LinkKey('linkedin_url'), condition=models.Q(('linkedin_url', ''), _negated=True), name='members_profile_linkedin'),
        ),
        migrations.AddIndex(
            model_name='profile',
            index=models.Index(members.matching.LinkKey('website'), condition=models.Q(('website', ''), _negated=True), name='members_profile_website'),
        ),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(members.matching.MailboxKey('email'), name='members_user_mailbox'),
        ),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(members.matching.LocalPartKey('email'), condition=models.Q(('email__regex', '^[^@]{6,}@')), name='members_user_local_part'),
        ),
        migrations.AddField(
            model_name='accountmerge',
            name='kept',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='merges_kept', to=settings.AUTH_USER_MODEL, verbose_name='cuenta que se conserva'),
        ),
        migrations.AddField(
            model_name='accountmerge',
            name='merged',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='merges_absorbed', to=settings.AUTH_USER_MODEL, verbose_name='cuenta que se fusiona y se cierra'),
        ),
        migrations.AddField(
            model_name='accountmerge',
            name='started_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='iniciada por'),
        ),
        migrations.AddField(
            model_name='duplicatecandidate',
            name='first',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cuenta A'),
        ),
        migrations.AddField(
            model_name='duplicatecandidate',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revisado por'),
        ),
        migrations.AddField(
            model_name='duplicatecandidate',
            name='second',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cuenta B'),
        ),
        migrations.AddField(
            model_name='accountmerge',
            name='candidate',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merges', to='members.duplicatecandidate', verbose_name='posible duplicado'),
        ),
        migrations.AddIndex(
            model_name='duplicatecandidate',
            index=models.Index(fields=['status', '-found_at'], name='members_duplicate_queue'),
        ),
        migrations.AddConstraint(
            model_name='duplicatecandidate',
            constraint=models.UniqueConstraint(fields=('first', 'second'), name='members_duplicate_pair'),
        ),
        migrations.AddConstraint(
            model_name='duplicatecandidate',
            constraint=models.CheckConstraint(condition=models.Q(('first__lt', models.F('second'))), name='members_duplicate_ordered'),
        ),
        migrations.AddIndex(
            model_name='accountmerge',
            index=models.Index(fields=['kept', 'status'], name='members_merge_kept'),
        ),
        migrations.AddConstraint(
            model_name='accountmerge',
            constraint=models.CheckConstraint(condition=models.Q(('kept', models.F('merged')), _negated=True), name='members_merge_two_accounts'),
        ),
        migrations.AddConstraint(
            model_name='accountmerge',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('merged',), name='members_merge_one_pending'),
        ),
    ]
