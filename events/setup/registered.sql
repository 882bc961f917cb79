-- Setup of the sample events that need a registered employee (events/README.md): Budi (Telegram user
-- 5550001) and Siti (5550002) have registered with /daftar, as the bot would have recorded it.
-- Needs the employees imported first: sinawai import employees events/imports/employees.csv
UPDATE pengguna SET id_telegram = 5550001, registered_at = UTC_TIMESTAMP(6)
 WHERE nip = '199001172015031001' AND id_telegram IS NULL;
UPDATE pengguna SET id_telegram = 5550002, registered_at = UTC_TIMESTAMP(6)
 WHERE nip = '198807252014022003' AND id_telegram IS NULL;
