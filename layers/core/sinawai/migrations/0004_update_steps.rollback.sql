DROP TABLE update_step;
