-- A Glimpse library as schema v3 wrote it (caption sources, origin and score; photo pixel hash and
-- changed mark), for the v3 -> v4 migration test (the self-check's itm and itc columns).
PRAGMA application_id = 1196182864;
CREATE TABLE schema_version(version INTEGER NOT NULL);
INSERT INTO schema_version VALUES(3);
CREATE TABLE folders(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, excludes TEXT NOT NULL DEFAULT '', added_at INTEGER NOT NULL, include_hidden INTEGER NOT NULL DEFAULT 0);
CREATE TABLE photos(id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, mtime INTEGER NOT NULL, hash TEXT, width INTEGER, height INTEGER, taken_at INTEGER, status INTEGER NOT NULL DEFAULT 0, error TEXT, pixel_hash TEXT, changed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE embeddings(photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, model TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY(photo_id, model));
CREATE TABLE captions(id INTEGER PRIMARY KEY, photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, text TEXT NOT NULL, model TEXT NOT NULL, parameters TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL, source TEXT NOT NULL DEFAULT 'generated', origin TEXT NOT NULL DEFAULT '', score REAL);
CREATE VIRTUAL TABLE photo_text USING fts5(name, captions, tokenize = 'unicode61 remove_diacritics 2');
CREATE INDEX photos_folder ON photos(folder_id);
CREATE INDEX photos_hash ON photos(hash);
CREATE INDEX captions_photo ON captions(photo_id);
CREATE INDEX embeddings_model ON embeddings(model);
CREATE TRIGGER photos_text_ai AFTER INSERT ON photos BEGIN INSERT INTO photo_text(rowid, name, captions) VALUES (new.id, new.path, ''); END;
CREATE TRIGGER photos_text_ad AFTER DELETE ON photos BEGIN DELETE FROM photo_text WHERE rowid = old.id; END;
CREATE TRIGGER photos_text_au AFTER UPDATE OF path ON photos BEGIN UPDATE photo_text SET name = new.path WHERE rowid = new.id; END;
CREATE TRIGGER captions_text_ai AFTER INSERT ON captions BEGIN UPDATE photo_text SET captions = captions || ' ' || new.text WHERE rowid = new.photo_id; END;
CREATE TRIGGER captions_text_ad AFTER DELETE ON captions BEGIN UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = old.photo_id), '') WHERE rowid = old.photo_id; END;
CREATE INDEX captions_photo_source ON captions(photo_id, source);
CREATE TRIGGER captions_text_au AFTER UPDATE OF text, photo_id ON captions BEGIN UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = old.photo_id), '') WHERE rowid = old.photo_id; UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = new.photo_id), '') WHERE rowid = new.photo_id; END;
INSERT INTO folders(id, path, excludes, added_at) VALUES (1, '/photos', '', 1700000000000);
INSERT INTO photos(id, folder_id, path, size, mtime, hash, width, height) VALUES (1, 1, '/photos/harbour.jpg', 2048, 1700000000000, 'abc', 640, 480);
INSERT INTO captions(photo_id, text, model, parameters, created_at, source, score) VALUES (1, 'boats in a harbour', 'blip-large', '{"num_beams":3}', 1700000001000, 'generated', -0.5);
