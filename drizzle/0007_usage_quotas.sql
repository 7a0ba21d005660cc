CREATE TABLE `quota_buckets` (
	`client_id` text PRIMARY KEY NOT NULL,
	`instant` real NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `usage_hours` (
	`client_id` text NOT NULL,
	`hour` integer NOT NULL,
	`door` text NOT NULL,
	`kind` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`client_id`, `hour`, `door`, `kind`)
);
--> statement-breakpoint
CREATE INDEX `usage_hours_hour` ON `usage_hours` (`hour`);--> statement-breakpoint
ALTER TABLE `clients` ADD `tokens_per_minute` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `burst` integer;