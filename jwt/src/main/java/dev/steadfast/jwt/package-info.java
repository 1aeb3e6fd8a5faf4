/**
 * JWT signing and verification, JWKS and claim validation, safe by default.
 */
@NullMarked
package dev.steadfast.jwt;

import org.jspecify.annotations.NullMarked;
