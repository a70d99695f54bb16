"""The story stage's entities: the story's NER mentions consolidated into entities, once per synthesis.

Plain consolidation rules live in articles.nlp.consolidation; this writes their result. Run by
articles.services.synthesis.synthesize_story before the claims are computed (not by each article's analysis:
that did the whole story's work for every article, under a lock on the story row).
"""

from __future__ import annotations

from django.db import transaction

from articles.bulk import sync_pairs, update_rows
from articles.models import Entity, Mention, Sentence, Story
from articles.nlp.consolidation import MentionRef, consolidate


def consolidate_story_entities(story_id: int) -> int:
    """Recompute the story's entities from its articles' mentions; returns how many there are. The story
    stage runs it once per synthesis (articles.services.synthesis.synthesize_story).

    Entities are matched to the existing rows by name and label and updated in place, so anything that points
    at an entity (claims) keeps pointing at it. Mentions inside boilerplate sentences are not consolidated.
    """
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story_id)
        boilerplate: dict[int, list[tuple[int, int]]] = {}
        for article_id, start, end in Sentence.objects.filter(
            article__story=story, is_boilerplate=True
        ).values_list("article_id", "start", "end"):
            boilerplate.setdefault(article_id, []).append((start, end))
        refs = []
        assigned: dict[int, int | None] = {}  # each mention's entity now
        for mention_id, article_id, start, end, text, label, entity_id in Mention.objects.filter(
            article__story=story
        ).values_list("id", "article_id", "start", "end", "text", "label", "entity_id"):
            assigned[mention_id] = entity_id
            if not any(s <= start and end <= e for s, e in boilerplate.get(article_id, ())):
                refs.append(MentionRef(mention_id, article_id, text, label))
        found = consolidate(refs)

        existing = {(e.name, e.label): e for e in Entity.objects.filter(story=story)}
        keep: list[Entity] = []
        create: list[Entity] = []
        changed: list[Entity] = []
        for item in found:
            name = item.name[:300]
            entity = existing.pop((name, item.label), None) or Entity(
                story=story, name=name, label=item.label
            )
            if entity.pk and (entity.aliases, entity.mention_count) == (item.aliases, item.mention_count):
                keep.append(entity)  # unchanged: not written
                continue
            entity.aliases = item.aliases
            entity.mention_count = item.mention_count
            (changed if entity.pk else create).append(entity)
        Entity.objects.filter(pk__in=[e.pk for e in existing.values()]).delete()
        update_rows(Entity, changed, ["aliases", "mention_count"])
        Entity.objects.bulk_create(create)
        by_name = {(e.name, e.label): e for e in keep + changed + create}

        # Only what changed is written: the mentions whose entity is another, and the entity-article links.
        wanted: dict[int, int | None] = dict.fromkeys(assigned)
        links: set[tuple[int, int]] = set()
        for item in found:
            entity = by_name[(item.name[:300], item.label)]
            links.update((entity.pk, a) for a in item.articles)
            wanted.update(dict.fromkeys(item.mention_keys, entity.pk))
        update_rows(
            Mention,
            [Mention(pk=key, entity_id=entity) for key, entity in wanted.items() if assigned[key] != entity],
            ["entity"],
        )
        Through = Entity.articles.through
        sync_pairs(Through, Through.objects.filter(entity__story=story), "entity", "article", links)
    return len(found)
