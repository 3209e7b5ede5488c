-- Which menu a display shows during a day-part (issue #16: "the lunch menu on the food TV
-- 11-15"). Outside every listed day-part a display shows its usual menu (displays.menu_id).
--
-- Expand only: one new table. Every reference is a composite (venue_id, id) key, so a rule
-- cannot name another venue's display, day-part or menu. Deleting the day-part or the menu
-- deletes the rule: the display shows its usual menu then (the code tells its TVs).
CREATE TABLE display_daypart_menus (
    venue_id bigint NOT NULL,
    display_id bigint NOT NULL,
    daypart_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    -- When two of a display's day-parts are on at once, the one listed first wins.
    position smallint NOT NULL CHECK (position >= 0),
    PRIMARY KEY (display_id, daypart_id),
    FOREIGN KEY (venue_id, display_id) REFERENCES displays (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, daypart_id) REFERENCES dayparts (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, menu_id) REFERENCES menus (venue_id, id) ON DELETE CASCADE
);
CREATE INDEX display_daypart_menus_daypart_idx ON display_daypart_menus (venue_id, daypart_id);
CREATE INDEX display_daypart_menus_menu_idx ON display_daypart_menus (venue_id, menu_id);
