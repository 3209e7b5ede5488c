"""How menus change: the one home for every edit, from the editor, the API or a keg sensor.

Every change goes through `core.change_menu` (lock, refuse a clash, edit, version, revision,
NOTIFY: see core.py); one module per concern builds on it. Callers use this package's names.
"""

from chalkboard.menus.operations.core import (
    KEEP_REVISIONS,
    Actor,
    Conflict,
    Edit,
    MenuChange,
    NotFound,
    StaleVersion,
    board_at,
    change_menu,
    current_board,
)
from chalkboard.menus.operations.entries import (
    add_entry,
    duplicate_entry,
    import_entries,
    kick,
    move_entry,
    remove_entry,
    update_entry,
)
from chalkboard.menus.operations.history import Restorable, restore, restore_plan, undo
from chalkboard.menus.operations.levels import record_pour
from chalkboard.menus.operations.library import (
    create_serving_size,
    delete_beverage,
    delete_serving_size,
    set_beverage_image,
    update_beverage,
    update_serving_size,
)
from chalkboard.menus.operations.structure import (
    add_section,
    create_menu,
    delete_menu,
    move_section,
    remove_section,
    rename_menu,
    update_section,
)

__all__ = [
    "KEEP_REVISIONS",
    "Actor",
    "Conflict",
    "Edit",
    "MenuChange",
    "NotFound",
    "Restorable",
    "StaleVersion",
    "add_entry",
    "add_section",
    "board_at",
    "change_menu",
    "create_menu",
    "create_serving_size",
    "current_board",
    "delete_beverage",
    "delete_menu",
    "delete_serving_size",
    "duplicate_entry",
    "import_entries",
    "kick",
    "move_entry",
    "move_section",
    "record_pour",
    "remove_entry",
    "remove_section",
    "rename_menu",
    "restore",
    "restore_plan",
    "set_beverage_image",
    "undo",
    "update_beverage",
    "update_entry",
    "update_section",
    "update_serving_size",
]
