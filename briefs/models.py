"""Editorial models: briefs, their items, revisions and publications (see the workbench issue)."""
