"""Reports of three unrelated events, two outlets each, written for the Inbox tests (plain data)."""

from __future__ import annotations

QUAKE = [
    (
        "Strong earthquake shakes Crete, damaging homes in Heraklion",
        "A magnitude 6.1 earthquake struck off the Greek island of Crete on Monday morning, damaging dozens "
        "of homes in Heraklion and sending residents into the streets.\n\n"
        "The quake's epicentre lay 40 kilometres south of Heraklion at a depth of ten kilometres, Greece's "
        "Institute of Geodynamics said. Several aftershocks followed within the hour.\n\n"
        "Firefighters searched collapsed buildings in two villages near Arkalochori. Three people were taken "
        "to hospital with minor injuries, the regional governor said. Schools across Crete will stay closed "
        "on Tuesday while engineers inspect them.",
    ),
    (
        "Crete earthquake: residents flee as 6.1 tremor hits island",
        "Residents of Heraklion ran out of their homes on Monday when an earthquake of magnitude 6.1 hit the "
        "island of Crete, Greek seismologists said.\n\n"
        "The Institute of Geodynamics in Athens placed the epicentre in the sea about 40 kilometres south of "
        "Heraklion. Rescue teams were sent to villages around Arkalochori, where old stone houses "
        "collapsed.\n\n"
        "The regional governor of Crete said three people had minor injuries. All schools on the island are "
        "closed on Tuesday for safety checks, and aftershocks continued through the morning.",
    ),
]

STRIKE = [
    (
        "Belgian train drivers strike halts rail services across the country",
        "Train drivers in Belgium began a 48-hour strike on Wednesday, cancelling most trains between "
        "Brussels, Antwerp and Ghent and leaving commuters stranded.\n\n"
        "The drivers' union said the walkout was over pension reforms proposed by the federal government. "
        "The national rail operator SNCB said only one train in five was running.\n\n"
        "Eurostar services to London and Paris were also disrupted, and the operator advised travellers to "
        "postpone journeys until Friday.",
    ),
    (
        "Rail strike in Belgium: most trains cancelled for two days",
        "Most trains in Belgium were cancelled on Wednesday as drivers started a two-day strike against the "
        "government's pension reform, the rail operator SNCB said.\n\n"
        "Commuters in Brussels, Antwerp and Ghent crowded onto buses and trams. SNCB said about one train in "
        "five was running, and the drivers' union warned of further walkouts.\n\n"
        "Eurostar trains to Paris and London were hit as well; passengers were told to travel after Friday.",
    ),
]

FESTIVAL = [
    (
        "Edinburgh book festival names new director after record year",
        "The Edinburgh International Book Festival has appointed the novelist Amina Farouk as its new "
        "director, after a year in which it sold a record 260,000 tickets.\n\n"
        "Farouk, who has run literary events in Glasgow for a decade, will take over in January. The "
        "festival's board said she would keep its tents in Charlotte Square and expand its children's "
        "programme.",
    ),
]
