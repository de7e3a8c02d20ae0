/** Shapes shared by the system-under-test sources (/proc, Prometheus) and the sampler that runs them. */

/** Why a series has a gap, or what else the user should know; never thrown. */
export type SutWarningCode =
  /** A PID given as the system under test exited (or its number now belongs to another process). */
  | 'sut_pid_exited'
  /** Another user's process: its fds (and so its connections) may not be read. */
  | 'sut_fds_denied'
  /** Counting the tree's connections failed (the message says why); the last count stands. */
  | 'sut_census_failed'
  /** The metrics URL did not answer, answered an error, or answered something that is not an exposition. */
  | 'sut_scrape_failed'
  /** The metrics URL answers again after failing: the gap ends here. */
  | 'sut_scrape_resumed';

export interface SutWarning {
  readonly code: SutWarningCode;
  /** One sentence: what happened, to what, and what it means for the series. */
  readonly message: string;
  /** Epoch ms. */
  readonly time: number;
}

/** Metric name -> value, for one instant. A metric missing from it is a gap at that instant. */
export type SutValues = Record<string, number>;

export interface SutSample {
  /** Epoch ms. */
  readonly time: number;
  readonly values: SutValues;
}

export type { SeriesSelection } from '../metrics/sut-catalogue.js';
