SELECT * FROM greenn
