import { PageHeader } from '../components/page-header';

export function EventsPage() {
  return <PageHeader title="events" description="not built yet" />;
}
