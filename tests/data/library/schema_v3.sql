-- A Glimpse library as schema v3 wrote it (v2 plus caption sources, origins and scores, the pixel hash
-- and changed mark of photos, and the caption update trigger), for the v3 -> v4 migration test.
PRAGMA application_id = 1196182864;
CREATE TABLE schema_version(version INTEGER NOT NULL);
INSERT INTO schema_version(version) VALUES (3);
CREATE TABLE folders(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, excludes TEXT NOT NULL DEFAULT '', added_at INTEGER NOT NULL);
CREATE TABLE photos(id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, mtime INTEGER NOT NULL, hash TEXT, width INTEGER, height INTEGER, taken_at INTEGER);
CREATE INDEX photos_folder ON photos(folder_id);
CREATE INDEX photos_hash ON photos(hash);
CREATE TABLE embeddings(photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, model TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY(photo_id, model));
CREATE TABLE captions(id INTEGER PRIMARY KEY, photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, text TEXT NOT NULL, model TEXT NOT NULL, parameters TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL);
ALTER TABLE folders ADD COLUMN include_hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN error TEXT;
CREATE INDEX captions_photo ON captions(photo_id);
CREATE INDEX embeddings_model ON embeddings(model);
CREATE VIRTUAL TABLE photo_text USING fts5(name, captions, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER photos_text_ai AFTER INSERT ON photos BEGIN INSERT INTO photo_text(rowid, name, captions) VALUES (new.id, new.path, ''); END;
CREATE TRIGGER photos_text_ad AFTER DELETE ON photos BEGIN DELETE FROM photo_text WHERE rowid = old.id; END;
CREATE TRIGGER photos_text_au AFTER UPDATE OF path ON photos BEGIN UPDATE photo_text SET name = new.path WHERE rowid = new.id; END;
CREATE TRIGGER captions_text_ai AFTER INSERT ON captions BEGIN UPDATE photo_text SET captions = captions || ' ' || new.text WHERE rowid = new.photo_id; END;
CREATE TRIGGER captions_text_ad AFTER DELETE ON captions BEGIN UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = old.photo_id), '') WHERE rowid = old.photo_id; END;
ALTER TABLE captions ADD COLUMN source TEXT NOT NULL DEFAULT 'generated';
ALTER TABLE captions ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE captions ADD COLUMN score REAL;
CREATE INDEX captions_photo_source ON captions(photo_id, source);
ALTER TABLE photos ADD COLUMN pixel_hash TEXT;
ALTER TABLE photos ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER captions_text_au AFTER UPDATE OF text, photo_id ON captions BEGIN UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = old.photo_id), '') WHERE rowid = old.photo_id; UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = new.photo_id), '') WHERE rowid = new.photo_id; END;
INSERT INTO folders(id, path, excludes, added_at) VALUES (1, '/photos/holiday', '*.tmp', 1700000000000);
INSERT INTO photos VALUES (1, 1, '/photos/holiday/beach_sunset.jpg', 123456, 1690000000000, 'aa11', 4000, 3000, 1689000000000, 0, NULL, 'cc33', 0);
INSERT INTO photos VALUES (2, 1, '/photos/holiday/kids/sandcastle.png', 2048, 1690000001000, 'bb22', 640, 480, NULL, 0, NULL, NULL, 0);
-- 4-dim float32 vectors: (1, 0, 0, 0) and (0, 1, 0, 0)
INSERT INTO embeddings VALUES (1, 'blip-itm@0123456789abcdef', 4, X'0000803F000000000000000000000000');
INSERT INTO embeddings VALUES (2, 'blip-itm@0123456789abcdef', 4, X'000000000000803F0000000000000000');
INSERT INTO captions VALUES (1, 1, 'kids on a beach at sunset', 'blip-large@fedcba9876543210', '{"num_beams":3}', 1700000002000, 'generated', '', NULL);
INSERT INTO captions VALUES (2, 2, 'a sandcastle with a red flag', '', '{}', 1700000003000, 'metadata', 'Xmp.dc.description', NULL);
INSERT INTO captions VALUES (3, 2, 'our sandcastle', '', '{}', 1700000004000, 'edited', '', NULL);
