/**
 * Intervals on the community's schedule: those taking orders now, those of one local day with
 * their phase, and one interval's status (its summary once cleared, its book while open).
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { InputError } from "../../core/errors.js";
import { formatInstant } from "../../core/time.js";
import { parseCalendarDate } from "../../core/timeZone.js";
import { CHANNELS } from "../../service/marketFeed.js";
import type { Platform } from "../../service/platform.js";
import {
  gateClosesAt,
  localDayIntervals,
  openIntervals,
  opensAt,
  phaseAt,
} from "../../service/schedule.js";
import { instantOf, instantParam } from "./params.js";

export function registerIntervalRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { community, config } = platform;

  api.get(
    "/v1/intervals",
    {
      schema: {
        summary: "Intervals taking orders now, or those of one local day",
        querystring: z.strictObject({
          status: z.literal("open").optional(),
          day: z
            .string()
            .optional()
            .describe("a calendar day, YYYY-MM-DD, in the community's time zone"),
        }),
      },
    },
    async (request) => {
      // The schedule in force: a community update changes it from a later interval on.
      const schedule = community.schedule;
      const now = platform.clock.now();
      const record = (start: number, status: string) => ({
        start: formatInstant(start),
        gate_closes_at: formatInstant(gateClosesAt(schedule, start)),
        status,
      });
      const { day, status } = request.query;
      if (day === undefined)
        return { intervals: openIntervals(schedule, now).map((s) => record(s, "open")) };
      const date = parseCalendarDate(day);
      if (date === undefined)
        throw new InputError(
          "E_INPUT",
          `day: expected a calendar day YYYY-MM-DD, received ${JSON.stringify(day)}`,
          {
            details: { field: "day", expected: "YYYY-MM-DD", received: day },
          },
        );
      const lastCleared = (await community.store.lastCleared()) ?? Number.NEGATIVE_INFINITY;
      const intervals = localDayIntervals(schedule, date, config.timeZone)
        .map((s) => record(s, s <= lastCleared ? "cleared" : phaseAt(schedule, s, now)))
        .filter((i) => status === undefined || i.status === status);
      return { day, time_zone: config.timeZone, intervals };
    },
  );

  api.get(
    "/v1/intervals/:start",
    {
      schema: {
        summary: "One interval: its status, and its summary once cleared",
        params: z.strictObject({ start: instantParam }),
      },
    },
    async (request) => {
      const start = instantOf(request.params.start, "start");
      const schedule = community.schedule;
      const record = await community.store.intervalRecord(start);
      const base = {
        start: formatInstant(start),
        opens_at: formatInstant(opensAt(schedule, start)),
        gate_closes_at: formatInstant(gateClosesAt(schedule, start)),
      };
      if (record !== undefined)
        return {
          ...base,
          status: "cleared",
          block_height: record.blockHeight,
          summary: record.summary === null ? null : JSON.parse(record.summary),
        };
      return {
        ...base,
        status: phaseAt(schedule, start, platform.clock.now()),
        block_height: null,
        summary: null,
        book: {
          seq: platform.feed.feed.lastSeq(CHANNELS.book(start)),
          ...platform.feed.bookView(start),
        },
      };
    },
  );
}
