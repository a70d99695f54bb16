"""The story stage's entities: the story's NER mentions consolidated into entities, once per synthesis.

Plain consolidation rules live in articles.nlp.consolidation; this writes their result. Run by
articles.services.synthesis.synthesize_story before the claims are computed (not by each article's analysis:
that did the whole story's work for every article, under a lock on the story row).
"""

from __future__ import annotations

from django.db import transaction

from articles.bulk import update_rows
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
        refs = [
            MentionRef(mention_id, article_id, text, label)
            for mention_id, article_id, start, end, text, label in Mention.objects.filter(
                article__story=story
            ).values_list("id", "article_id", "start", "end", "text", "label")
            if not any(s <= start and end <= e for s, e in boilerplate.get(article_id, ()))
        ]
        found = consolidate(refs)

        existing = {(e.name, e.label): e for e in Entity.objects.filter(story=story)}
        keep: list[Entity] = []
        create: list[Entity] = []
        for item in found:
            name = item.name[:300]
            entity = existing.pop((name, item.label), None) or Entity(
                story=story, name=name, label=item.label
            )
            entity.aliases = item.aliases
            entity.mention_count = item.mention_count
            (keep if entity.pk else create).append(entity)
        Entity.objects.filter(pk__in=[e.pk for e in existing.values()]).delete()
        update_rows(Entity, keep, ["aliases", "mention_count"])
        Entity.objects.bulk_create(create)
        by_name = {(e.name, e.label): e for e in keep + create}

        Mention.objects.filter(article__story=story).update(entity=None)
        Through = Entity.articles.through
        Through.objects.filter(entity__story=story).delete()
        links, assignments = [], []
        for item in found:
            entity = by_name[(item.name[:300], item.label)]
            links.extend(Through(entity_id=entity.pk, article_id=a) for a in item.articles)
            assignments.extend(Mention(pk=key, entity_id=entity.pk) for key in item.mention_keys)
        Through.objects.bulk_create(links)
        update_rows(Mention, assignments, ["entity"])
    return len(found)
