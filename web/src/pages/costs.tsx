import { PageHeader } from '../components/page-header';

export function CostsPage() {
  return <PageHeader title="costs" description="not built yet" />;
}
