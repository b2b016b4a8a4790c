-- owner_turns holds, for every owner a job was ever claimed for (by Claim or ClaimDocument),
-- when the last such claim was, in Unix microseconds. Claim serves, among the owners holding
-- the fewest live leases, the one served least recently, so that owners take turns even when
-- nobody holds a lease (a single OCR engine). A row is not removed with the owner's documents:
-- it is tiny and holds no document data, and an old time ranks an owner who comes back ahead
-- of everyone served since, much as having no row would.
CREATE TABLE owner_turns (
	owner      TEXT    PRIMARY KEY,
	claimed_at INTEGER NOT NULL
) WITHOUT ROWID;
