//! SQL text → statements, with sqlparser's Spark dialect.
//!
//! Two bits of Spark syntax sqlparser does not know are handled here, on the tokens: `EXPLAIN EXTENDED <query>`
//! and numbers with a type suffix (`10L`, `1.5D`, `7S`, `2Y`, `3BD`), which would otherwise read as a number with
//! an alias (`10 AS L`).

use sqlparser::ast;
use sqlparser::dialect::SparkSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use crate::error::{Position, Result, SqlError};
use crate::string_literal::standard_string_literals;

/// How deep parentheses and subqueries may nest; deeper text is refused before parsing instead of exhausting the
/// stack (the parser recurses per level, with large frames in debug builds and a small stack in the browser).
pub const NESTING_LIMIT: usize = 32;

/// How many operators one statement may chain (`a + b + … `): each one is a level of the expression tree, and a
/// tree that deep is refused before it is built.
pub const OPERATOR_LIMIT: usize = 256;

/// One statement of the text and where it starts.
#[derive(Debug)]
pub struct Statement {
    pub kind: StatementKind,
    pub position: Position,
}

#[derive(Debug)]
pub enum StatementKind {
    /// `EXPLAIN [EXTENDED] <statement>`
    Explain { extended: bool, statement: Box<ast::Statement> },
    /// `CREATE [OR REPLACE] TEMP VIEW name USING csv|parquet OPTIONS (path '…', header 'true')`: a view over files.
    CreateViewUsing(ViewUsing),
    /// `SET key = value`: the value is the text after `=` as written (`America/Los_Angeles` needs no quotes);
    /// `SET key` alone shows the setting.
    Set { key: String, value: Option<String> },
    Plain(Box<ast::Statement>),
}

/// A temporary view over files, as `CREATE TEMP VIEW … USING` declares it.
#[derive(Debug)]
pub struct ViewUsing {
    pub name: String,
    pub replace: bool,
    pub format: String,
    /// `OPTIONS (key value, …)`, in order.
    pub options: Vec<(String, String)>,
}

/// Every statement in `sql`, separated by `;`. Comments (`--`, `/* */`) are skipped by the tokenizer.
pub fn parse(sql: &str) -> Result<Vec<Statement>> {
    let sql: &str = &standard_string_literals(sql);
    let mut parser = parser_for(sql)?;
    let mut statements = Vec::new();
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        if parser.peek_token_ref().token == Token::EOF {
            return Ok(statements);
        }
        let position = Position::from(parser.peek_token_ref().span.start);
        let kind = parse_one(&mut parser).map_err(|error| parser_error(sql, &parser, error))?;
        let next = parser.peek_token();
        if !matches!(next.token, Token::SemiColon | Token::EOF) {
            return Err(extra_input(sql, &next));
        }
        statements.push(Statement { kind, position });
    }
}

/// The statements of a script, as `spark-sql -f` and Spark's SQL test suite cut it: at each `;` that is not inside
/// a quoted string, a quoted name or a comment. Each piece is trimmed, with the place in the script where it
/// starts; empty pieces (`;;`) are dropped.
pub fn split(script: &str) -> Vec<(Position, &str)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut chars = script.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => skip_quoted(&mut chars, c),
            '-' if chars.next_if(|&(_, next)| next == '-').is_some() => {
                while chars.next_if(|&(_, next)| next != '\n').is_some() {}
            }
            '/' if chars.next_if(|&(_, next)| next == '*').is_some() => skip_bracketed_comment(&mut chars),
            ';' => {
                pieces.push(&script[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    pieces.push(&script[start..]);
    pieces
        .into_iter()
        .map(|piece| {
            let trimmed = piece.trim();
            let offset = trimmed.as_ptr() as usize - script.as_ptr() as usize;
            (position_at(script, offset), trimmed)
        })
        .filter(|(_, piece)| !piece.is_empty())
        .collect()
}

/// The line and column of a byte offset.
fn position_at(script: &str, offset: usize) -> Position {
    let before = &script[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Position::new(line, column)
}

/// Past the quote that closes one opened by `quote`; a backslash escapes the next character in strings.
fn skip_quoted(chars: &mut std::iter::Peekable<std::str::CharIndices>, quote: char) {
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' if quote != '`' => {
                chars.next();
            }
            c if c == quote => return,
            _ => {}
        }
    }
}

/// Past the `*/` that closes a `/*` comment; such comments nest in Spark SQL.
fn skip_bracketed_comment(chars: &mut std::iter::Peekable<std::str::CharIndices>) {
    let mut depth = 1;
    while let Some((_, c)) = chars.next() {
        match c {
            '*' if chars.next_if(|&(_, next)| next == '/').is_some() => depth -= 1,
            '/' if chars.next_if(|&(_, next)| next == '*').is_some() => depth += 1,
            _ => {}
        }
        if depth == 0 {
            return;
        }
    }
}

/// A parser over `sql`'s tokens: typed numbers merged (`10L`), nesting checked before any recursion.
fn parser_for(sql: &str) -> Result<Parser<'static>> {
    let tokens = Tokenizer::new(&SparkSqlDialect {}, sql).tokenize_with_location().map_err(|error| {
        syntax_error(sql, error.location, &error.message, &near_character(sql, error.location))
    })?;
    let tokens = crate::multi_unit_interval::with_multi_unit_intervals(sql, tokens)?;
    let tokens = with_values_as_select(with_typed_numbers(with_interval_types(with_ltz_literals(with_exists_functions(with_trim_functions(tokens))))));
    check_nesting(sql, &tokens)?;
    Ok(Parser::new(&SparkSqlDialect {}).with_recursion_limit(NESTING_LIMIT * 4).with_tokens_with_locations(tokens))
}

/// One select item (`expr` or `expr AS name`), as `selectExpr`, `filter("…")` and `F.expr` take them.
pub fn parse_select_item(sql: &str) -> Result<ast::SelectItem> {
    let sql: &str = &standard_string_literals(sql);
    let mut parser = parser_for(sql)?;
    let item = parser.parse_select_item().map_err(|error| parser_error(sql, &parser, error))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(extra_input(sql, &next));
    }
    Ok(item)
}

fn parse_one(parser: &mut Parser) -> Result<StatementKind, ParserError> {
    if let Some(view) = parser.maybe_parse(view_using)? {
        return Ok(StatementKind::CreateViewUsing(view));
    }
    if let Some((key, value)) = parser.maybe_parse(set_key_value)? {
        return Ok(StatementKind::Set { key, value });
    }
    if !parser.parse_keyword(Keyword::EXPLAIN) {
        return Ok(StatementKind::Plain(Box::new(parser.parse_statement()?)));
    }
    let extended = parser.parse_keyword(Keyword::EXTENDED);
    if let Token::Word(word) = &parser.peek_token_ref().token
        && ["FORMATTED", "CODEGEN", "COST"].contains(&word.value.to_ascii_uppercase().as_str())
    {
        let location = parser.peek_token_ref().span.start;
        return Err(ParserError::ParserError(format!(
            "EXPLAIN {} is not supported by Kindling yet; use EXPLAIN or EXPLAIN EXTENDED{location}",
            word.value.to_ascii_uppercase()
        )));
    }
    Ok(StatementKind::Explain { extended, statement: Box::new(parser.parse_statement()?) })
}

/// `SET key = value`, read as Spark reads it: the key is the dotted name, the value the rest of the statement's
/// text, unquoted.
fn set_key_value(parser: &mut Parser) -> Result<(String, Option<String>), ParserError> {
    parser.expect_keyword(Keyword::SET)?;
    let mut key = String::new();
    loop {
        let token = parser.next_token();
        match token.token {
            Token::Eq => break,
            Token::SemiColon | Token::EOF if !key.is_empty() => {
                parser.prev_token();
                return Ok((key, None));
            }
            Token::Word(_) | Token::Period | Token::Number(..) if !key.is_empty() || !matches!(token.token, Token::Period) => {
                key.push_str(&token.token.to_string())
            }
            _ => return parser.expected("a setting name and `=`", token),
        }
    }
    let mut value = String::new();
    while !matches!(parser.peek_token_no_skip().token, Token::SemiColon | Token::EOF) {
        if let Some(token) = parser.next_token_no_skip() {
            value.push_str(&token.token.to_string());
        }
    }
    let value = value.trim();
    let unquoted = ['\'', '"'].iter().find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q))).unwrap_or(value);
    Ok((key, Some(unquoted.to_string())))
}

/// `CREATE [OR REPLACE] TEMP[ORARY] VIEW name USING format [OPTIONS (key value, …)]`, which sqlparser does not read.
fn view_using(parser: &mut Parser) -> Result<ViewUsing, ParserError> {
    parser.expect_keyword(Keyword::CREATE)?;
    let replace = parser.parse_keywords(&[Keyword::OR, Keyword::REPLACE]);
    if parser.parse_one_of_keywords(&[Keyword::TEMP, Keyword::TEMPORARY]).is_none() {
        return parser.expected("TEMP VIEW", parser.peek_token());
    }
    parser.expect_keyword(Keyword::VIEW)?;
    let name = parser.parse_identifier()?.value;
    parser.expect_keyword(Keyword::USING)?;
    let format = parser.parse_identifier()?.value.to_ascii_lowercase();
    let mut options = Vec::new();
    if parser.parse_keyword(Keyword::OPTIONS) {
        parser.expect_token(&Token::LParen)?;
        loop {
            let key = parser.parse_identifier()?.value;
            let value = match parser.parse_value()?.value {
                ast::Value::SingleQuotedString(text) | ast::Value::DoubleQuotedString(text) => text,
                other => other.to_string(),
            };
            options.push((key, value));
            if !parser.consume_token(&Token::Comma) {
                break;
            }
        }
        parser.expect_token(&Token::RParen)?;
    }
    Ok(ViewUsing { name, replace, format, options })
}

/// Refuses statements whose parentheses nest deeper than [`NESTING_LIMIT`] or that chain more than
/// [`OPERATOR_LIMIT`] operators.
fn check_nesting(sql: &str, tokens: &[TokenWithSpan]) -> Result<()> {
    let mut depth = 0usize;
    for token in tokens {
        depth = match token.token {
            Token::LParen => depth + 1,
            Token::RParen => depth.saturating_sub(1),
            _ => depth,
        };
        if depth > NESTING_LIMIT {
            let message = format!("the SQL nests parentheses deeper than {NESTING_LIMIT} levels; split it into views or CTEs");
            return Err(syntax_error(sql, token.span.start, &message, &near_token(sql, token)));
        }
    }
    let mut operators = 0;
    for token in tokens {
        operators = match &token.token {
            Token::SemiColon => 0,
            Token::Plus | Token::Minus | Token::Mul | Token::Div | Token::Mod | Token::Eq | Token::Neq | Token::Lt
            | Token::Gt | Token::LtEq | Token::GtEq | Token::StringConcat | Token::Spaceship => operators + 1,
            Token::Word(word) if matches!(word.keyword, Keyword::AND | Keyword::OR) => operators + 1,
            _ => operators,
        };
        if operators > OPERATOR_LIMIT {
            let message = format!(
                "the statement chains more than {OPERATOR_LIMIT} operators, so its expression would nest deeper than \
                 {OPERATOR_LIMIT} levels; split it into steps"
            );
            return Err(syntax_error(sql, token.span.start, &message, &near_token(sql, token)));
        }
    }
    Ok(())
}

/// `VALUES (1), (2) t(a)` where a query goes (a view's body, a set operation's side, an INSERT's rows) becomes
/// `SELECT * FROM VALUES (1), (2) t(a)`: Spark lets an inline table stand for a query, with an alias, and
/// sqlparser reads the alias only where a table goes.
fn with_values_as_select(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut rewritten: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let is_values = matches!(&token.token, Token::Word(word) if word.keyword == Keyword::VALUES);
        let after_from = rewritten.iter().rev().find(|t| !matches!(t.token, Token::Whitespace(_))).is_some_and(|t| {
            matches!(&t.token, Token::Word(word) if matches!(word.keyword, Keyword::FROM | Keyword::JOIN))
                || t.token == Token::Comma
        });
        if is_values && !after_from {
            for inserted in [Token::make_keyword("SELECT"), Token::Mul, Token::make_keyword("FROM")] {
                rewritten.push(TokenWithSpan { token: inserted, span: token.span });
            }
        }
        rewritten.push(token);
    }
    with_parenthesized_rows(rewritten)
}

/// The position of the first token at or after `from` that is not whitespace.
fn next_significant(tokens: &[TokenWithSpan], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
}

/// `exists(xs, x -> x > 1)` is the higher-order function, not `EXISTS (subquery)`: sqlparser reads the keyword as
/// a subquery whatever follows, so an `exists` whose parenthesis opens no query becomes a plain function name.
fn with_exists_functions(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    for i in 0..tokens.len() {
        let Token::Word(word) = &tokens[i].token else { continue };
        if word.keyword != Keyword::EXISTS {
            continue;
        }
        let Some(open) = next_significant(&tokens, i + 1).filter(|&j| tokens[j].token == Token::LParen) else { continue };
        let opens_query = next_significant(&tokens, open + 1).is_some_and(|k| {
            matches!(&tokens[k].token, Token::Word(w) if matches!(w.keyword, Keyword::SELECT | Keyword::WITH | Keyword::VALUES | Keyword::FROM | Keyword::TABLE))
                || tokens[k].token == Token::LParen
        });
        if !opens_query {
            let name = word.value.clone();
            tokens[i].token = Token::Word(sqlparser::tokenizer::Word { value: name, quote_style: None, keyword: Keyword::NoKeyword });
        }
    }
    tokens
}

/// `trim(chars, s)`: Spark's two-argument trim is a function call; sqlparser reads `TRIM(` only as the
/// `TRIM([BOTH] chars FROM s)` form, so a TRIM whose parentheses hold a comma and no FROM becomes a plain name.
fn with_trim_functions(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    for i in 0..tokens.len() {
        let Token::Word(word) = &tokens[i].token else { continue };
        if word.keyword != Keyword::TRIM {
            continue;
        }
        let Some(open) = next_significant(&tokens, i + 1).filter(|&j| tokens[j].token == Token::LParen) else { continue };
        let (mut depth, mut comma, mut from) = (0, false, false);
        for token in &tokens[open..] {
            match &token.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::Comma if depth == 1 => comma = true,
                Token::Word(w) if depth == 1 && w.keyword == Keyword::FROM => from = true,
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
        if comma && !from {
            let name = word.value.clone();
            tokens[i].token = Token::Word(sqlparser::tokenizer::Word { value: name, quote_style: None, keyword: Keyword::NoKeyword });
        }
    }
    tokens
}

/// `VALUES 1, 2, 3` (rows of one value, without parentheses) becomes `VALUES (1), (2), (3)`, which sqlparser
/// reads. A row ends at a comma, or where a word that cannot go on an expression follows a complete value (the
/// alias: `VALUES 1, 2 AS t(a)`, `VALUES 1 T(col)`).
fn with_parenthesized_rows(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let significant = |t: &TokenWithSpan| !matches!(t.token, Token::Whitespace(_));
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].clone();
        let is_values = matches!(&token.token, Token::Word(word) if word.keyword == Keyword::VALUES);
        out.push(token.clone());
        i += 1;
        if !is_values {
            continue;
        }
        let next = (i..tokens.len()).find(|&j| significant(&tokens[j]));
        if next.is_none_or(|j| tokens[j].token == Token::LParen) {
            continue;
        }
        let paren = |token: Token, at: &TokenWithSpan| TokenWithSpan { token, span: at.span };
        let (mut depth, mut open, mut last): (i32, bool, Option<Token>) = (0, false, None);
        while i < tokens.len() {
            let current = &tokens[i];
            if !significant(current) {
                out.push(current.clone());
                i += 1;
                continue;
            }
            let ends_row = depth == 0
                && match &current.token {
                    Token::Comma | Token::RParen | Token::SemiColon | Token::EOF => true,
                    Token::Word(word) => last.as_ref().is_some_and(ends_value) && !continues_expression(word.keyword),
                    _ => false,
                };
            if ends_row {
                if open {
                    out.push(paren(Token::RParen, current));
                    open = false;
                }
                if current.token != Token::Comma {
                    break;
                }
                out.push(current.clone());
                last = Some(Token::Comma);
                i += 1;
                continue;
            }
            if !open {
                out.push(paren(Token::LParen, current));
                open = true;
            }
            depth += match current.token {
                Token::LParen => 1,
                Token::RParen => -1,
                _ => 0,
            };
            last = Some(current.token.clone());
            out.push(current.clone());
            i += 1;
        }
        if open && let Some(at) = out.last().cloned() {
            out.push(paren(Token::RParen, &at));
        }
    }
    out
}

/// Whether a value may end with this token (a literal, a name, a closing parenthesis).
fn ends_value(token: &Token) -> bool {
    match token {
        Token::Number(..) | Token::SingleQuotedString(_) | Token::DoubleQuotedString(_) | Token::RParen => true,
        Token::Word(word) => !continues_expression(word.keyword),
        _ => false,
    }
}

/// Keywords that carry an expression on (`1 AND x`, `x IS NULL`) rather than start an alias.
fn continues_expression(keyword: Keyword) -> bool {
    matches!(
        keyword,
        Keyword::AND | Keyword::OR | Keyword::NOT | Keyword::IS | Keyword::NULL | Keyword::TRUE | Keyword::FALSE
            | Keyword::CASE | Keyword::WHEN | Keyword::THEN | Keyword::ELSE | Keyword::END | Keyword::DATE
            | Keyword::TIMESTAMP | Keyword::INTERVAL | Keyword::CAST | Keyword::DIV | Keyword::LIKE | Keyword::IN
            | Keyword::BETWEEN
    )
}

/// Joins `10` `L` (written without a space) into the one number token `10L`.
fn with_typed_numbers(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut merged: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if let (Some(previous), Token::Word(word)) = (merged.last_mut(), &token.token)
            && let Token::Number(digits, long) = &previous.token
            && word.quote_style.is_none()
            && previous.span.end == token.span.start
            && ["L", "S", "Y", "D", "F", "BD"].contains(&word.value.to_ascii_uppercase().as_str())
        {
            previous.token = Token::Number(format!("{digits}{}", word.value.to_ascii_uppercase()), *long);
            previous.span.end = token.span.end;
            continue;
        }
        merged.push(token);
    }
    merged
}

/// `CAST(x AS INTERVAL YEAR TO MONTH)`, `x :: INTERVAL SECOND`: an interval type, which sqlparser's Spark dialect
/// does not read, becomes one quoted type name (`interval year to month`) for the type parser.
fn with_interval_types(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    const FIELDS: [&str; 6] = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];
    let is_field = |t: &TokenWithSpan| matches!(&t.token, Token::Word(w) if FIELDS.contains(&w.value.to_ascii_uppercase().as_str()));
    let is_word = |t: &TokenWithSpan, word: &str| matches!(&t.token, Token::Word(w) if w.value.eq_ignore_ascii_case(word));
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let previous = out.iter().rev().find(|t| !matches!(t.token, Token::Whitespace(_)));
        let after_as = previous.is_some_and(|t| is_word(t, "AS") || t.token == Token::DoubleColon);
        // The significant tokens after INTERVAL: a field, then maybe TO and a field.
        let next: Vec<usize> = (i + 1..tokens.len()).filter(|&j| !matches!(tokens[j].token, Token::Whitespace(_))).take(3).collect();
        if after_as && is_word(&tokens[i], "INTERVAL") && next.first().is_some_and(|&j| is_field(&tokens[j])) {
            let ranged = next.len() == 3 && is_word(&tokens[next[1]], "TO") && is_field(&tokens[next[2]]);
            let last = if ranged { next[2] } else { next[0] };
            let words: Vec<String> = [Some(next[0]), ranged.then(|| next[1]), ranged.then(|| next[2])]
                .into_iter()
                .flatten()
                .map(|j| tokens[j].token.to_string().to_ascii_lowercase())
                .collect();
            let name = format!("interval {}", words.join(" "));
            let span = sqlparser::tokenizer::Span::new(tokens[i].span.start, tokens[last].span.end);
            out.push(TokenWithSpan { token: Token::Word(sqlparser::tokenizer::Word { value: name, quote_style: Some('`'), keyword: Keyword::NoKeyword }), span });
            i = last + 1;
            continue;
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// `timestamp_ltz'2020-01-01 10:00:00'` is Spark's other spelling of `TIMESTAMP '…'`, which sqlparser reads.
fn with_ltz_literals(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    for i in 0..tokens.len().saturating_sub(1) {
        let is_ltz = matches!(&tokens[i].token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("timestamp_ltz"));
        let string_follows = match &tokens[i + 1].token {
            Token::SingleQuotedString(_) | Token::DoubleQuotedString(_) => true,
            Token::Word(w) => w.quote_style == Some('"'),
            _ => false,
        };
        if is_ltz && string_follows {
            tokens[i].token = Token::make_keyword("TIMESTAMP");
            if let Token::Word(w) = &tokens[i + 1].token {
                tokens[i + 1].token = Token::SingleQuotedString(w.value.clone());
            }
        }
    }
    tokens
}

/// sqlparser reports `… at Line: 1, Column: 8`; Spark names the token at that place.
fn parser_error(sql: &str, parser: &Parser, error: ParserError) -> SqlError {
    let (message, location) = match &error {
        ParserError::RecursionLimitExceeded => {
            let location = parser.peek_token_ref().span.start;
            let message = format!("the SQL nests deeper than {NESTING_LIMIT} levels; split it into views or CTEs");
            return syntax_error(sql, location, &message, &near_token(sql, parser.peek_token_ref()));
        }
        ParserError::ParserError(message) | ParserError::TokenizerError(message) => {
            (message.clone(), location_in(message).unwrap_or(parser.peek_token_ref().span.start))
        }
    };
    let near = if location_is_end(sql, location) { "end of input".to_string() } else { near_word(sql, location) };
    syntax_error(sql, location, strip_location(&message), &near)
}

fn extra_input(sql: &str, token: &TokenWithSpan) -> SqlError {
    let near = near_token(sql, token);
    SqlError::Parse {
        message: format!("[PARSE_SYNTAX_ERROR] Syntax error at or near {near}: extra input {near}. SQLSTATE: 42601"),
        position: token.span.start.into(),
        sql: sql.to_string(),
    }
}

/// Spark's `PARSE_SYNTAX_ERROR`, with sqlparser's explanation of what it expected after it.
fn syntax_error(sql: &str, location: Location, explanation: &str, near: &str) -> SqlError {
    let position = if location.line == 0 { end_of(sql) } else { Position::from(location) };
    SqlError::Parse {
        message: format!("[PARSE_SYNTAX_ERROR] Syntax error at or near {near}. SQLSTATE: 42601\n{explanation}"),
        position,
        sql: sql.to_string(),
    }
}

fn near_token(sql: &str, token: &TokenWithSpan) -> String {
    if token.token == Token::EOF { "end of input".to_string() } else { near_word(sql, token.span.start) }
}

/// The word (or the one symbol) starting at `location`, quoted as Spark quotes it: `'FROM'`.
fn near_word(sql: &str, location: Location) -> String {
    let rest = text_from(sql, location);
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let shown = if word.is_empty() { rest.chars().take(1).collect() } else { word };
    format!("'{shown}'")
}

fn near_character(sql: &str, location: Location) -> String {
    format!("'{}'", text_from(sql, location).chars().next().unwrap_or(' '))
}

/// The text from a line/column location on.
fn text_from(sql: &str, location: Location) -> &str {
    let Some(line) = sql.split('\n').nth((location.line.max(1) - 1) as usize) else { return "" };
    let start = line.char_indices().nth((location.column.max(1) - 1) as usize).map_or(line.len(), |(i, _)| i);
    &line[start..]
}

fn location_is_end(sql: &str, location: Location) -> bool {
    location.line == 0 || text_from(sql, location).trim().is_empty() && Position::from(location) >= end_of(sql)
}

/// Just after the last character that is not white space.
fn end_of(sql: &str) -> Position {
    let trimmed = sql.trim_end();
    let line = trimmed.split('\n').count() as u64;
    let column = trimmed.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64;
    Position::new(line, column + 1)
}

fn location_in(message: &str) -> Option<Location> {
    let (_, place) = message.rsplit_once(" at Line: ")?;
    let (line, column) = place.split_once(", Column: ")?;
    Some(Location::new(line.trim().parse().ok()?, column.trim().parse().ok()?))
}

fn strip_location(message: &str) -> &str {
    message.rsplit_once(" at Line: ").map_or(message, |(text, _)| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(sql: &str) -> String {
        parse(sql).unwrap_err().to_string()
    }

    #[test]
    fn several_statements_with_comments() {
        let statements = parse("-- views\nSELECT 1; /* two */ SELECT 2;\n\nEXPLAIN EXTENDED SELECT 3").unwrap();
        assert_eq!(statements.len(), 3);
        assert!(matches!(statements[2].kind, StatementKind::Explain { extended: true, .. }));
        assert_eq!(statements[1].position, Position::new(2, 21));
    }

    #[test]
    fn scripts_split_at_semicolons_outside_quotes_and_comments() {
        let script = "SELECT ';' AS a; -- x; y\nSELECT `b;c` FROM t /* ; */;\n\n;  SELECT \"d\\\";\"";
        let pieces = split(script);
        let texts: Vec<&str> = pieces.iter().map(|(_, text)| *text).collect();
        assert_eq!(texts, ["SELECT ';' AS a", "-- x; y\nSELECT `b;c` FROM t /* ; */", "SELECT \"d\\\";\""]);
        assert_eq!(pieces[1].0, Position::new(1, 18));
        assert_eq!(pieces[2].0, Position::new(4, 4));
    }

    #[test]
    fn typed_numbers_are_one_token() {
        let statements = parse("SELECT 10L, 1.5D, 10 L").unwrap();
        let StatementKind::Plain(statement) = &statements[0].kind else { panic!("a query") };
        assert_eq!(statement.to_string(), "SELECT 10L, 1.5D, 10 AS L");
    }

    #[test]
    fn syntax_errors_name_the_token_and_place() {
        assert!(error_of("SELEC id FROM green").starts_with("[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'"));
        assert!(error_of("SELEC id FROM green").contains("(line 1, pos 0)"));
        let at_end = error_of("SELECT id FROM green\nWHERE id >\n  'x' AND");
        assert!(at_end.starts_with("[PARSE_SYNTAX_ERROR] Syntax error at or near end of input"), "{at_end}");
        assert!(at_end.contains("(line 3, pos 9)"), "{at_end}");
        assert!(error_of("SELECT 'abc").contains("near '''"));
    }

    #[test]
    fn extra_input_after_a_statement() {
        assert!(error_of("SELECT 1 SELECT 2").contains("extra input 'SELECT'"));
    }
}
