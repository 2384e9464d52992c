SELECT 'abc FROM green
