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
