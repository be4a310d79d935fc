"""Post-generation hooks of the apps that build on members (imported by generate()).

When an app lands, register here how its bench rows are derived from the members just
written, with one set-based statement per table (never a Python loop per member), e.g.

    from .generate import post_generation_hook

    @post_generation_hook("pncs search index", requires=("pncs_<table>",))
    def fill_search_index(ctx):
        cur = ctx.conn.execute(
            "INSERT INTO pncs_<table> (...) SELECT ... FROM members_profile "
            "WHERE user_id BETWEEN %s AND %s", [ctx.first_id, ctx.last_id])
        return cur.rowcount

Still to write, once their tables exist: the PNCS search index (if it is a separate
table or a stored tsvector column to refresh), chapters and chapter memberships,
consents, and the announcement recipients of the fan-out scenario.
"""

from .generate import post_generation_hook


@post_generation_hook("figures snapshot", requires=("figures_figuresnapshot",))
def refresh_figures_snapshot(ctx):
    """The figures pages read a pre-aggregated snapshot: compute it over the new members
    (the GROUP BY queries of the beat task, through the ORM on the same database)."""
    from django.db import connection

    if connection.settings_dict.get("NAME") != ctx.conn.info.dbname:
        ctx.log("generate: figures snapshot skipped (Django uses another database)")
        return 0
    from figures.services import refresh_figures

    snapshot = refresh_figures()
    ctx.log(f"generate: figures snapshot computed in {snapshot.duration_ms} ms")
    return 1
