"""Views of the pncs app, by audience: the public, members, coordinators' search, management."""
