/**
 * Internal: buffers shared by connections while they are parked, so that idle connections hold none and
 * busy ones do not allocate afresh for each request. Not exported.
 */
package io.sockeye.buffers;
