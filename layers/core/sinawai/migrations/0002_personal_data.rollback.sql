DROP TABLE import_run;
DROP TABLE audit_log;
DROP TABLE cuti;
DROP TABLE tunkin;
