-- A Glimpse library as schema v1 wrote it (the first released layout), for migration tests.
PRAGMA application_id = 1196182864;
CREATE TABLE schema_version(version INTEGER NOT NULL);
INSERT INTO schema_version(version) VALUES (1);
CREATE TABLE folders(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, excludes TEXT NOT NULL DEFAULT '', added_at INTEGER NOT NULL);
CREATE TABLE photos(id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, mtime INTEGER NOT NULL, hash TEXT, width INTEGER, height INTEGER, taken_at INTEGER);
CREATE INDEX photos_folder ON photos(folder_id);
CREATE INDEX photos_hash ON photos(hash);
CREATE TABLE embeddings(photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, model TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY(photo_id, model));
CREATE TABLE captions(id INTEGER PRIMARY KEY, photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, text TEXT NOT NULL, model TEXT NOT NULL, parameters TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL);
INSERT INTO folders(id, path, excludes, added_at) VALUES (1, '/photos/holiday', '*.tmp', 1700000000000);
INSERT INTO photos VALUES (1, 1, '/photos/holiday/beach_sunset.jpg', 123456, 1690000000000, 'aa11', 4000, 3000, 1689000000000);
INSERT INTO photos VALUES (2, 1, '/photos/holiday/kids/sandcastle.png', 2048, 1690000001000, 'bb22', 640, 480, NULL);
-- 4-dim float32 vectors: (1, 0, 0, 0) and (0, 1, 0, 0)
INSERT INTO embeddings VALUES (1, 'blip-itm@0123456789abcdef', 4, X'0000803F000000000000000000000000');
INSERT INTO embeddings VALUES (2, 'blip-itm@0123456789abcdef', 4, X'000000000000803F0000000000000000');
INSERT INTO captions VALUES (1, 1, 'kids on a beach at sunset', 'blip-large@fedcba9876543210', '{"num_beams":3}', 1700000002000);
