"""The boundary push: when a day-part begins or ends, this task's TVs get the board again.

Nothing is written at a boundary (the board of a version shows differently at different
times, `schedules.effective`), so no NOTIFY comes: each task watches the menus its own TVs
show, and at the instant the board they were sent next changes (`Hub.showing`), sends it
again as it shows now (`Hub.reshow`), built shortly before (`Hub.prepare`). Likewise for
displays that show another menu during a day-part (`displays/daypart_menus.py`): at the
switch (`Hub.switches`) the task reads them again and moves their TVs to that menu's board
(`Hub.reassign`); within the hour before, their TVs are sent that menu's board to switch
to by their own clock (`live/next_menus.py`), so a TV offline at the switch switches too. A
TV that missed a push gets the right board when it reconnects, as every hello does.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from chalkboard.live.hub import Hub

log = logging.getLogger("chalkboard.schedules")
# A menu whose TVs connect meanwhile is looked at within this long.
LOOK_SECONDS = 1.0
# The boards of a boundary are built this long before it (`Hub.prepare`), so at the instant
# itself a task only sends: 1,000 menus' boards take a second or two to read.
PREPARE_AHEAD = timedelta(seconds=30)


async def push_at_boundaries(hub: Hub) -> None:
    while True:
        now = datetime.now(UTC)
        pause = LOOK_SECONDS
        # Displays that show another menu from now (menus by day-part): first, so their TVs
        # are on the new menu's board before anything else is re-sent.
        due = []
        for display_id, at in list(hub.switches.items()):
            if at <= now:
                due.append(display_id)
            else:
                pause = min(pause, (at - now).total_seconds())
        if due:
            try:
                await hub.reassign(due)
            except Exception:  # the next round tries again; a hello heals too
                log.exception("moving displays %s to their day-part menus failed", due)
        # ... and, within the hour before such a switch, the board of that menu to their TVs,
        # which switch to it by their own clock, offline too (`live/next_menus.py`).
        for display_id, send_at in hub.next_menus.due().items():
            if send_at <= now:
                try:
                    await hub.next_menus.send(display_id)
                except Exception:  # the next round tries again
                    log.exception("sending display %s its next menu failed", display_id)
            else:
                pause = min(pause, (send_at - now).total_seconds())
        for menu_id, ends in hub.showing().items():
            try:
                if ends <= now:
                    await hub.reshow(menu_id)
                elif ends - now <= PREPARE_AHEAD:
                    await hub.prepare(menu_id)
            except Exception:  # a failed push must not stop the others (the next hello heals)
                log.exception("boundary push for menu %s failed", menu_id)
            if ends > now:
                pause = min(pause, (ends - now).total_seconds())
        await asyncio.sleep(pause)
