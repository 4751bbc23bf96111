/*
 * codes.h — identifiers and their check characters.
 *
 * Unified Social Credit Code (统一社会信用代码, GB 32100-2015), 18 characters
 * from the 31-character alphabet 0-9 A-H J-N P-R T U W-Y:
 *
 *     +---+---+-------------+-------------------+---+
 *     | R | T |  division   | organisation code | C |
 *     +---+---+-------------+-------------------+---+
 *       1   1        6              9             1
 *     R registration authority, T organisation type, division GB/T 2260 of
 *     the registering authority, organisation code GB 11714 (8 + its own
 *     check character), C check character over the first 17.
 *
 * Organisation code (组织机构代码, GB 11714): 8 characters 0-9 A-Z and a check
 * character 0-9 or X, written "XXXXXXXX-X" or "XXXXXXXXX" (both accepted).
 *
 * Resident identity number (GB 11643-1999), 18 characters:
 *     6-digit address code, 8-digit birth date YYYYMMDD, 3-digit sequence,
 *     check character 0-9 or X.
 *
 * Functions that validate return 0 or CX_EFORMAT and set the detail
 * (cx_lasterr) to a sentence naming what is wrong, e.g. "check character is
 * 8, expected B". Input is compared exactly: letters must be upper case
 * (callers normalise first if they want to be lenient). All take
 * NUL-terminated strings; NULL is rejected, never dereferenced.
 */
#ifndef CX_CODES_H
#define CX_CODES_H

#include <stddef.h>

#define CODES_USCC_LEN 18
#define CODES_RESIDENT_ID_LEN 18

/* The USCC of individual businesses that have none (双公示 feeds). */
#define CODES_USCC_PLACEHOLDER "00000000000000000X"

/* 0 if s is a well-formed USCC (length, alphabet, check character);
 * CX_EFORMAT with detail otherwise. The placeholder does not validate. */
int codes_uscc_valid(const char *s);

/* The check character for the first 17 characters of a USCC, or 0 if
 * first17 is NULL, shorter than 17 or has a character outside the alphabet
 * (only the first 17 characters are read). */
char codes_uscc_check(const char *first17);

/* Check the GB 11714 organisation code embedded in a USCC (characters
 * 9..17). 0 if its check character matches; CX_EFORMAT with detail if not
 * (callers report it as a warning: old registrations break it) or if uscc is
 * not 18 characters long. */
int codes_uscc_orgcode_ok(const char *uscc);

/* 1 if s is exactly the placeholder 00000000000000000X, else 0. */
int codes_uscc_placeholder(const char *s);

/* 0 if s is a valid organisation code, "XXXXXXXX-X" or "XXXXXXXXX";
 * CX_EFORMAT with detail otherwise. */
int codes_orgcode_valid(const char *s);

/* The GB 11714 check character ('0'..'9' or 'X') for the first 8
 * characters (0-9, A-Z), or 0 if the input is bad. */
char codes_orgcode_check(const char *first8);

/* 0 if s is a valid 18-character resident identity number: digits, a real
 * birth date from 1900-01-01 on and not after today (date_today()), the
 * check character; CX_EFORMAT with detail otherwise. Letters: only a final
 * upper-case 'X'. The old 15-digit form is rejected. */
int codes_resident_id_valid(const char *s);

/* The GB 11643 check character for the first 17 characters (digits), or 0
 * if the input is bad. */
char codes_resident_id_check(const char *first17);

/*
 * Write a masked copy of an identity number into out[cap] (always
 * NUL-terminated when cap > 0). 18 characters: first 6, eight '*', last 4
 * ("110105********002X"). Other lengths: first 2 and last 2 kept, the rest
 * '*' (a string of 4 or fewer characters is all '*'). NULL id gives "".
 * Truncated to cap - 1 characters if out is short.
 */
void codes_mask_id(char *out, size_t cap, const char *id);

/* 0 if s is a GB/T 2260 division code: 6 digits, province prefix among the
 * real provincial codes 11..82 (11-15, 21-23, 31-37, 41-46, 50-54, 61-65,
 * 71, 81, 82); CX_EFORMAT with detail otherwise. */
int codes_division_valid(const char *s);

#endif
