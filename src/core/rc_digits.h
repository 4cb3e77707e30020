/* rc_digits: the table of two-digit pairs "00".."99" that the number
 * writers of the decoder (DECIMAL, dates and times) and of the JSON encoder
 * (integers, shortest doubles) share: storing pairs halves the divisions of
 * a digit-at-a-time loop. rc_digits2[2 * v] and [2 * v + 1] are v's digits. */
#ifndef RC_DIGITS_H
#define RC_DIGITS_H

extern const char rc_digits2[201];

#endif
